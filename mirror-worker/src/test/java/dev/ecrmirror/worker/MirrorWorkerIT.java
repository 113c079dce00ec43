package dev.ecrmirror.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecrmirror.common.manifest.MediaTypes;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryOptions;
import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.LocalRegistry;
import dev.ecrmirror.common.testing.RegistryContents;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.common.testing.TestImages.Pushed;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/** The worker CLI against real registries: what lands at each destination, byte for byte. */
class MirrorWorkerIT {
  private static final List<String> FOUR_PLATFORMS = List.of("linux/amd64", "linux/arm64/v8", "linux/arm/v7", "linux/s390x");

  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(4);

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = MirrorWorkerCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private static JsonNode readJson(String text) {
    try {
      return new ObjectMapper().readTree(text);
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  private static LocalRegistry src() {
    return registries.get(0);
  }

  private static String ref(LocalRegistry r, String repoAndTag) {
    return r.host() + "/" + repoAndTag;
  }

  private static void assertIdentical(String srcRepo, LocalRegistry dest, String destRepo, String tag, Pushed top) {
    var served = RegistryContents.manifest(dest.baseUri(), destRepo, tag);
    assertThat(served).as("tag %s at %s/%s", tag, dest.host(), destRepo).isPresent();
    assertThat(served.get().digest()).isEqualTo(top.digest());
    assertThat(served.get().mediaType()).isEqualTo(top.mediaType());
    assertThat(RegistryContents.differences(src().baseUri(), srcRepo, dest.baseUri(), destRepo, top.digest().toString()))
        .isEmpty();
  }

  @Test
  void copiesFourPlatformOciIndexToThreeDestinationsGivenCommaSeparatedAndSeparately() {
    Pushed index = new TestImages(src().baseUri(), 1).ociIndex("team/app", "1.0", FOUR_PLATFORMS, 2, 40_000);

    Run run = run(ref(src(), "team/app:1.0"),
        ref(registries.get(1), "mirror/app:1.0") + "," + ref(registries.get(2), "mirror/app:1.0"),
        ref(registries.get(3), "other/app"));

    assertThat(run.exit()).as(run.err()).isZero();
    for (int i = 1; i <= 3; i++) {
      String repo = i == 3 ? "other/app" : "mirror/app";
      assertIdentical("team/app", registries.get(i), repo, "1.0", index);
    }
    assertThat(run.out()).contains("copied").contains(index.digest().toString());
    assertThat(run.out().lines().filter(l -> l.startsWith("copied"))).hasSize(3);
  }

  @Test
  void copiesDockerManifestListAndSingleManifestsOfBothSchemas() {
    TestImages images = new TestImages(src().baseUri(), 2);
    Pushed list = images.dockerList("lib/tool", "2.1", FOUR_PLATFORMS, 2, 20_000);
    Pushed dockerSingle = images.image("lib/single", "linux", "amd64", "", false, 3, 10_000);
    images.tag("lib/single", "docker", dockerSingle);
    Pushed ociSingle = images.image("lib/single", "linux", "arm64", "v8", true, 1, 10_000);
    images.tag("lib/single", "oci", ociSingle);

    for (String[] c : new String[][] {{"lib/tool:2.1", "lib/tool", "2.1"}, {"lib/single:docker", "lib/single", "docker"},
        {"lib/single:oci", "lib/single", "oci"}}) {
      // Three destinations on three registries, given as "D1,D2 D3" as Batch's Ref::dest and a user would.
      Run run = run(ref(src(), c[0]),
          ref(registries.get(1), c[1] + ":" + c[2]) + "," + ref(registries.get(2), c[1] + ":" + c[2]),
          ref(registries.get(3), c[1] + ":" + c[2]));
      assertThat(run.exit()).as(run.err()).isZero();
    }
    for (int i = 1; i <= 3; i++) {
      assertIdentical("lib/tool", registries.get(i), "lib/tool", "2.1", list);
      assertIdentical("lib/single", registries.get(i), "lib/single", "docker", dockerSingle);
      assertIdentical("lib/single", registries.get(i), "lib/single", "oci", ociSingle);
    }
    assertThat(list.mediaType()).isEqualTo(MediaTypes.DOCKER_LIST);
  }

  @Test
  void secondRunFindsEverythingInSyncAndPushesNothing() {
    new TestImages(src().baseUri(), 3).ociIndex("sync/app", "v1", List.of("linux/amd64", "linux/arm64"), 1, 5_000);
    String dest = ref(registries.get(1), "sync/app:v1");
    assertThat(run(ref(src(), "sync/app:v1"), dest).exit()).isZero();

    Run again = run("--json", ref(src(), "sync/app:v1"), dest);

    assertThat(again.exit()).isZero();
    assertThat(again.out()).contains("\"status\":\"in_sync\"").contains("\"sourceBytesRead\":0")
        .contains("\"blobsUploaded\":0");
  }

  @Test
  void oneUnreachableDestinationFailsAloneAndExitsOne() {
    Pushed image = new TestImages(src().baseUri(), 4).ociIndex("part/app", "x", List.of("linux/amd64"), 1, 5_000);

    Run run = run("--retry-times", "0", ref(src(), "part/app:x"), "127.0.0.1:1/part/app:x", ref(registries.get(2), "part/app:x"));

    assertThat(run.exit()).isEqualTo(1);
    assertIdentical("part/app", registries.get(2), "part/app", "x", image);
    assertThat(run.out()).containsPattern("failed +127\\.0\\.0\\.1:1/part/app:x: .*cannot reach registry 127\\.0\\.0\\.1:1");
    assertThat(run.out() + run.err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void eachJsonDestinationIsALineOfTheRunReportSchema() {
    Pushed image = new TestImages(src().baseUri(), 12).ociIndex("rep/app", "1", List.of("linux/amd64"), 1, 5_000);
    String healthy = ref(registries.get(1), "rep/app:1");

    Run first = run("--json", "--retry-times", "0", ref(src(), "rep/app:1"), healthy, "127.0.0.1:1/rep/app:1");
    Run again = run("--json", ref(src(), "rep/app:1"), healthy);

    assertThat(first.exit()).isEqualTo(1);
    JsonNode copied = readJson(first.out()).at("/destinations/0");
    JsonNode dead = readJson(first.out()).at("/destinations/1");
    for (JsonNode d : List.of(copied, dead)) {
      assertThat(d.has("source") && d.has("tag") && d.has("sourceDigest") && d.has("digestBefore") && d.has("digest")
          && d.has("outcome") && d.has("bytesUploaded") && d.has("seconds") && d.has("error") && d.has("kind"))
          .as("every field of the report schema (docs/report.md): %s", d).isTrue();
      assertThat(d.get("sourceDigest").asText()).isEqualTo(image.digest().toString());
    }
    assertThat(copied.get("destination").asText()).isEqualTo(healthy);
    assertThat(copied.get("outcome").asText()).isEqualTo("mirrored");
    assertThat(copied.get("digest").asText()).isEqualTo(image.digest().toString());
    assertThat(copied.get("bytesUploaded").asLong()).isPositive();
    assertThat(dead.get("outcome").asText()).isEqualTo("retrying");
    assertThat(dead.get("kind").asText()).isEqualTo("transient");
    assertThat(dead.get("error").asText()).contains("127.0.0.1:1");
    JsonNode inSync = readJson(again.out()).at("/destinations/0");
    assertThat(inSync.get("outcome").asText()).isEqualTo("in sync");
    assertThat(inSync.get("digestBefore").asText()).isEqualTo(inSync.get("digest").asText())
        .isEqualTo(image.digest().toString());
  }

  @Test
  void platformSelectionRewritesTheIndexAndKeepsItsAttestations() {
    Pushed index = new TestImages(src().baseUri(), 5).ociIndex("plat/app", "1", FOUR_PLATFORMS, 1, 5_000);

    Run run = run("--platform", "linux/arm64", ref(src(), "plat/app:1"), ref(registries.get(1), "plat/app:1"));

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("rewrote the index");
    var served = RegistryContents.manifest(registries.get(1).baseUri(), "plat/app", "1").orElseThrow();
    assertThat(served.digest()).isNotEqualTo(index.digest());
    String body = new String(served.bytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(body).contains("\"arm64\"").doesNotContain("\"amd64\"").doesNotContain("s390x");
    assertThat(body).contains("attestation-manifest");
    assertThat(RegistryContents.differences(registries.get(1).baseUri(), "plat/app", registries.get(1).baseUri(),
        "plat/app", "1")).isEmpty();
  }

  @Test
  void digestDestinationsMustMatchAndCannotTakeAPlatformSelection() {
    Pushed index = new TestImages(src().baseUri(), 10).ociIndex("pin/app", "1", List.of("linux/amd64", "linux/arm64"), 1, 5_000);
    String other = "sha256:" + "0".repeat(64);

    Run byDigest = run(ref(src(), "pin/app:1"), ref(registries.get(1), "pin/app@" + index.digest()),
        ref(registries.get(2), "pin/app@" + other));
    Run filtered = run("--platform", "linux/arm64", ref(src(), "pin/app:1"), ref(registries.get(3), "pin/app@" + index.digest()));

    // The copy cannot be made as asked: permanent, whatever the other destinations did.
    assertThat(byDigest.exit()).isEqualTo(6);
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), "pin/app", index.digest().toString())).isPresent();
    assertThat(byDigest.out()).contains("destination names digest " + other + " but the source is " + index.digest());
    assertThat(filtered.exit()).isEqualTo(6);
    assertThat(filtered.out()).contains("cannot take a --platform copy");
    assertThat(RegistryContents.manifest(registries.get(3).baseUri(), "pin/app", index.digest().toString())).isEmpty();
  }

  @Test
  void sameRegistryDestinationsMountInsteadOfUploading() {
    new TestImages(src().baseUri(), 6).ociIndex("mnt/app", "1", List.of("linux/amd64"), 2, 5_000);

    Run run = run("--json", ref(src(), "mnt/app:1"), ref(src(), "mnt/copy:1"),
        ref(registries.get(1), "mnt/a:1"), ref(registries.get(1), "mnt/b:1"));

    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode result = readJson(run.out());
    JsonNode copy = result.at("/destinations/0");
    JsonNode first = result.at("/destinations/1");
    JsonNode second = result.at("/destinations/2");
    // 5 blobs: a config and 2 layers, and the attestation's config and payload.
    // Same registry as the source: every blob mounted, nothing uploaded.
    assertThat(copy.get("blobsMounted").asInt()).isEqualTo(5);
    assertThat(copy.get("blobsUploaded").asInt()).isZero();
    // Two destinations on one other registry: the first uploads, the second mounts from it.
    assertThat(first.get("blobsUploaded").asInt()).isEqualTo(5);
    assertThat(second.get("blobsMounted").asInt()).isEqualTo(5);
    assertThat(second.get("bytesUploaded").asLong()).isZero();
    // The source was read exactly once, for that one upload.
    assertThat(result.get("sourceBytesRead").asLong()).isEqualTo(first.get("bytesUploaded").asLong()).isPositive();
  }

  @Test
  void twoTagsOfOneDestinationRepositoryUploadEachBlobOnce() {
    Pushed index = new TestImages(src().baseUri(), 8).ociIndex("tags/app", "1", List.of("linux/amd64"), 2, 5_000);

    Run run = run("--json", ref(src(), "tags/app:1"), ref(registries.get(1), "tags/app:1"), ref(registries.get(1), "tags/app:stable"));

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    JsonNode result = readJson(run.out());
    assertThat(result.at("/destinations/0/blobsUploaded").asInt()).isEqualTo(5);
    assertThat(result.at("/destinations/1/blobsUploaded").asInt()).isZero();
    assertThat(result.at("/destinations/1/bytesUploaded").asLong()).isZero();
    assertIdentical("tags/app", registries.get(1), "tags/app", "stable", index);
  }

  @Test
  void destinationSetupFailureFailsOnlyThatDestinationBeforeAnyPush() {
    Pushed index = new TestImages(src().baseUri(), 9).ociIndex("setup/app", "1", List.of("linux/amd64"), 1, 5_000);
    var client = new RegistryClient(RegistryOptions.defaults());
    var refused = ImageReference.parse(ref(registries.get(1), "setup/app:1"));
    var fine = ImageReference.parse(ref(registries.get(2), "setup/app:1"));
    MirrorEngine engine = MirrorEngines.build(client, MirrorEngines.Settings.defaults(4), MirrorEngineTesting.NO_ECR).withDestinationSetup(d -> {
      if (d.registry().equals(refused.registry())) {
        throw new IllegalStateException("cannot create repository setup/app: denied");
      }
    });

    MirrorReport report = engine.mirror(new MirrorRequest(
        ImageReference.parse(ref(src(), "setup/app:1")), List.of(refused, fine), List.of(), false));

    assertThat(report.destinations().get(0).status()).isEqualTo(DestinationResult.Status.FAILED);
    assertThat(report.destinations().get(0).error()).contains("cannot create repository setup/app: denied");
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), "setup/app", "1")).isEmpty();
    assertIdentical("setup/app", registries.get(2), "setup/app", "1", index);
  }

  @Test
  void dryRunWritesNothing() {
    new TestImages(src().baseUri(), 7).ociIndex("dry/app", "1", List.of("linux/amd64"), 1, 5_000);

    Run run = run("--dry-run", ref(src(), "dry/app:1"), ref(registries.get(1), "dry/app:1"));

    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("would copy");
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), "dry/app", "1")).isEmpty();
  }

  @Test
  void malformedReferencesAreBadUsageWithOneClearLine() {
    Run run = run(ref(src(), "ok/app:1"), "Registry.Example.com/UPPER/case:1");

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err().strip().lines()).hasSize(1);
    assertThat(run.err()).contains("'Registry.Example.com/UPPER/case:1'").contains("must be lowercase");

    Run badTag = run("alpine:bad tag!", ref(registries.get(1), "x:1"));
    assertThat(badTag.exit()).isEqualTo(2);
    assertThat(badTag.err()).contains("'alpine:bad tag!'");
  }

  @Test
  void unreachableSourceIsOneClearLineAndExitOne() {
    Run run = run("--retry-times", "0", "127.0.0.1:1/nothing/here:1", ref(registries.get(1), "x:1"));

    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err().strip().lines().filter(l -> l.startsWith("mirror-worker:"))).singleElement().asString()
        .contains("127.0.0.1:1/nothing/here:1").contains("connection refused");
    assertThat(run.err()).doesNotContain("\tat ");
  }

  @Test
  void missingSourceTagSaysSoAndIsPermanent() {
    Run run = run(ref(src(), "no/such:tag"), ref(registries.get(1), "x:1"));

    assertThat(run.exit()).isEqualTo(6);
    assertThat(run.err()).contains("no/such:tag").contains("no such image");
  }
}
