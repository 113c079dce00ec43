package dev.ecrmirror.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.ref.Pin;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryOptions;
import dev.ecrmirror.common.tags.RuleSpec;
import dev.ecrmirror.common.tags.TagRules;
import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.LocalRegistry;
import dev.ecrmirror.common.testing.RegistryContents;
import dev.ecrmirror.common.testing.TestImages.Pushed;
import dev.ecrmirror.worker.MirrorWorkerIT.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The worker copying many tags of a repository in one pass, against real registries. */
class RepositoryMirrorIT {
  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(4);

  private static LocalRegistry src() {
    return registries.get(0);
  }

  private static String ref(LocalRegistry r, String repo) {
    return r.host() + "/" + repo;
  }

  private static Run run(String... args) {
    return MirrorWorkerIT.run(args);
  }

  private static JsonNode json(Run run) {
    try {
      return new ObjectMapper().readTree(run.out());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + run.out() + run.err(), e);
    }
  }

  private static void assertIdentical(String srcRepo, LocalRegistry dest, String destRepo, String tag, Pushed top) {
    var served = RegistryContents.manifest(dest.baseUri(), destRepo, tag);
    assertThat(served).as("tag %s at %s/%s", tag, dest.host(), destRepo).isPresent();
    assertThat(served.get().digest()).as("tag %s", tag).isEqualTo(top.digest());
    assertThat(served.get().mediaType()).isEqualTo(top.mediaType());
    assertThat(RegistryContents.differences(src().baseUri(), srcRepo, dest.baseUri(), destRepo, top.digest().toString()))
        .isEmpty();
  }

  @Test
  void rulesCopyExactlyTheSelectedTagsToTwoDestinationsReadingEachDistinctBlobOnce() {
    SharedLayerRepository repo = SharedLayerRepository.push(src().baseUri(), "many/app", 24, 1);
    assertThat(repo.tags()).hasSizeGreaterThan(24);
    List<String> named = List.of("1.0.0", "1.1.0", "1.2.0", "1.3.0", "2.0.0", "2.1.0", "2.4.0", "3.3.0", "3.6.0",
        "latest", "3", "nightly-20261101", "1.5.0");
    List<String> expected = TagRules.of(new RuleSpec(named, List.of("1.5.0"), Optional.empty(), List.of(), List.of(),
        false, OptionalInt.empty())).select(repo.tags());
    assertThat(expected).hasSize(12).doesNotContain("1.5.0");

    Run run = run("--json", "--tags", String.join(",", named), "--exclude-tags", "1.5.0", ref(src(), "many/app"),
        ref(registries.get(1), "mirror/app") + "," + ref(registries.get(2), "mirror/app"));

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    for (String tag : repo.tags()) {
      for (int d = 1; d <= 2; d++) {
        if (expected.contains(tag)) {
          assertIdentical("many/app", registries.get(d), "mirror/app", tag, repo.top(tag));
        } else {
          assertThat(RegistryContents.manifest(registries.get(d).baseUri(), "mirror/app", tag)).as(tag).isEmpty();
        }
      }
    }
    JsonNode result = json(run);
    assertThat(result.get("tagsSelected").asInt()).isEqualTo(12);
    assertThat(result.get("copied").asInt()).isEqualTo(12);
    // Each distinct blob read from the source once, however many tags and destinations hold it.
    assertThat(result.get("sourceBytesRead").asLong()).isEqualTo(repo.distinctBytes(expected));
    // ...and sent to each destination once: the per-tag figures of one destination add up to the distinct blobs.
    for (int d = 0; d < 2; d++) {
      int uploaded = 0;
      long bytes = 0;
      for (JsonNode tag : result.get("tags")) {
        uploaded += tag.at("/destinations/" + d + "/blobsUploaded").asInt();
        bytes += tag.at("/destinations/" + d + "/bytesUploaded").asLong();
      }
      assertThat(uploaded).isEqualTo(repo.distinctBlobs(expected));
      assertThat(bytes).isEqualTo(repo.distinctBytes(expected));
    }

    Run again = run("--tags", String.join(",", named), "--exclude-tags", "1.5.0", ref(src(), "many/app"),
        ref(registries.get(1), "mirror/app"), ref(registries.get(2), "mirror/app"));

    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out().strip()).isEqualTo(
        "12 tags selected: 0 copied to 0 destinations, 12 in sync, 0 failed; 0 blobs uploaded, 0 present; source read 0 B");
  }

  @Test
  void pinnedTagsAreCopiedAtThePinnedDigestEvenAfterTheSourceTagMoved() {
    SharedLayerRepository repo = SharedLayerRepository.push(src().baseUri(), "moving/app", 4, 2);
    Pushed pinned = repo.top("1.0.0");
    Pushed pinnedSingle = repo.top("1.1.0");
    // Move both tags to other images after the pins were taken.
    var images = new dev.ecrmirror.common.testing.TestImages(src().baseUri(), 99);
    images.tag("moving/app", "1.0.0", repo.top("2.0.0"));
    images.tag("moving/app", "1.1.0", repo.top("2.1.0"));

    Run run = run("--pin", "1.0.0@" + pinned.digest() + ", 1.1.0@" + pinnedSingle.digest(), "--pin", "none",
        ref(src(), "moving/app"), ref(registries.get(1), "moving/app"));
    Run tagged = run("--pin", "1.0.0@" + pinned.digest(), ref(src(), "moving/app:1.0.0"), ref(registries.get(2), "moving/one"));

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertIdentical("moving/app", registries.get(1), "moving/app", "1.0.0", pinned);
    assertIdentical("moving/app", registries.get(1), "moving/app", "1.1.0", pinnedSingle);
    assertThat(run.out()).contains("2 tags selected: 2 copied to 1 destination, 0 in sync, 0 failed");
    assertThat(tagged.exit()).as(tagged.out() + tagged.err()).isZero();
    assertIdentical("moving/app", registries.get(2), "moving/one", "1.0.0", pinned);
  }

  @Test
  void aFailingDestinationOrTagFailsAloneAndTheRestIsCopied() {
    SharedLayerRepository repo = SharedLayerRepository.push(src().baseUri(), "part/app", 3, 3);
    Digest gone = Digest.sha256("never pushed".getBytes(StandardCharsets.UTF_8));

    Run run = run("--retry-times", "0", "--pin",
        Pin.join(List.of(new Pin("1.0.0", repo.top("1.0.0").digest()), new Pin("ghost", gone),
            new Pin("2.0.0", repo.top("2.0.0").digest()))),
        ref(src(), "part/app"), "127.0.0.1:1/part/app", ref(registries.get(3), "part/app"));

    // The gravest failure decides: the ghost tag's pinned digest is gone (permanent), the unreachable destination transient.
    assertThat(run.exit()).isEqualTo(6);
    assertIdentical("part/app", registries.get(3), "part/app", "1.0.0", repo.top("1.0.0"));
    assertIdentical("part/app", registries.get(3), "part/app", "2.0.0", repo.top("2.0.0"));
    assertThat(RegistryContents.manifest(registries.get(3).baseUri(), "part/app", "ghost")).isEmpty();
    assertThat(run.out()).containsPattern("failed +127\\.0\\.0\\.1:1/part/app:1\\.0\\.0: .*cannot reach registry 127\\.0\\.0\\.1:1")
        .containsPattern("failed +127\\.0\\.0\\.1:1/part/app:2\\.0\\.0: ")
        .containsPattern("failed +" + registries.get(3).host() + "/part/app:ghost: .*" + gone.toString().substring(0, 20))
        .contains("3 tags selected: 0 copied to 1 destination, 0 in sync, 3 failed");
    assertThat(run.out() + run.err()).doesNotContain("\tat ");
  }

  @Test
  void dryRunSaysWhichTagsEachDestinationLacksOrHoldsAtAnotherDigestAndWritesNothing() {
    SharedLayerRepository repo = SharedLayerRepository.push(src().baseUri(), "dry/app", 4, 4);
    // The destination holds 1.0.0 already, and 2.0.0 at another image.
    assertThat(run("--pin", "1.0.0@" + repo.top("1.0.0").digest(), ref(src(), "dry/app"), ref(registries.get(1), "dry/app"))
        .exit()).isZero();
    assertThat(run("--pin", "1.0.0@" + repo.top("1.0.0").digest(), ref(src(), "dry/app:1.0.0"),
        ref(registries.get(1), "dry/app:2.0.0")).exit()).isZero();

    Run run = run("--dry-run", "--tags", "1.0.0,1.1.0,2.0.0", ref(src(), "dry/app"), ref(registries.get(1), "dry/app"));

    assertThat(run.exit()).as(run.err()).isZero();
    String dest = registries.get(1).host() + "/dry/app";
    List<String> lines = run.out().lines().toList();
    assertThat(lines).hasSize(4);
    // The selection's order is the rules' (newest first); the lines follow it.
    assertThat(lines.getFirst()).startsWith("selected 3 tags of " + ref(src(), "dry/app") + ": ")
        .contains("1.0.0").contains("1.1.0").contains("2.0.0");
    assertThat(lines.subList(1, 3)).containsExactlyInAnyOrder(
        "would copy  " + dest + ":1.1.0 " + repo.top("1.1.0").digest() + " (it lacks the tag)",
        "would copy  " + dest + ":2.0.0 " + repo.top("2.0.0").digest() + " (it holds " + repo.top("1.0.0").digest() + ")");
    assertThat(lines.getLast()).isEqualTo("3 tags selected: 2 would be copied to 1 destination, 1 in sync, 0 failed");
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), "dry/app", "1.1.0")).isEmpty();
  }

  @Test
  void platformSelectionAppliesPerTag() {
    SharedLayerRepository repo = SharedLayerRepository.push(src().baseUri(), "plat/app", 4, 5);

    Run run = run("--json", "--platform", "linux/arm64", "--tags", "1.0.0,1.1.0", ref(src(), "plat/app"),
        ref(registries.get(2), "plat/app"));

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    JsonNode indexTag = null;
    for (JsonNode tag : json(run).get("tags")) {
      if (tag.get("source").asText().contains(":1.0.0@")) {
        indexTag = tag;
      } else {
        assertThat(tag.get("indexRewritten").asBoolean()).isFalse();
      }
    }
    // 1.0.0 is an index: rewritten to its arm64 entry. 1.1.0 is one image: copied as it is.
    assertThat(indexTag).isNotNull();
    assertThat(indexTag.get("indexRewritten").asBoolean()).isTrue();
    var index = RegistryContents.manifest(registries.get(2).baseUri(), "plat/app", "1.0.0").orElseThrow();
    assertThat(index.digest().toString()).isEqualTo(indexTag.get("digest").asText())
        .isNotEqualTo(repo.top("1.0.0").digest().toString());
    assertThat(new String(index.bytes(), StandardCharsets.UTF_8)).contains("arm64").doesNotContain("amd64");
    assertThat(RegistryContents.differences(registries.get(2).baseUri(), "plat/app", registries.get(2).baseUri(),
        "plat/app", "1.0.0")).isEmpty();
    assertIdentical("plat/app", registries.get(2), "plat/app", "1.1.0", repo.top("1.1.0"));
  }

  @Test
  void theEngineReportsOneResultPerPinAndDestination() {
    SharedLayerRepository repo = SharedLayerRepository.push(src().baseUri(), "engine/app", 4, 6);
    var engine = MirrorEngines.build(new RegistryClient(RegistryOptions.defaults()), MirrorEngines.Settings.defaults(4),
        MirrorEngineTesting.NO_ECR);
    List<Pin> pins = new ArrayList<>();
    for (String tag : List.of("2.0.0", "1.0.0", "latest")) {
      pins.add(new Pin(tag, repo.top(tag).digest()));
    }
    ImageReference source = ImageReference.parse(ref(src(), "engine/app"));
    List<ImageReference> dests = List.of(ImageReference.parse(ref(registries.get(1), "engine/app")),
        ImageReference.parse(ref(registries.get(2), "engine/app")));

    RepositoryReport report = engine.mirror(new RepositoryRequest(source, dests, pins, List.of(), false), new Progress());

    assertThat(report.allOk()).isTrue();
    assertThat(report.tags()).extracting(t -> t.source().toString()).containsExactly(
        source.withTag("2.0.0").withDigest(repo.top("2.0.0").digest()).toString(),
        source.withTag("1.0.0").withDigest(repo.top("1.0.0").digest()).toString(),
        source.withTag("latest").withDigest(repo.top("latest").digest()).toString());
    Map<String, Long> perTag = new HashMap<>();
    for (MirrorReport tag : report.tags()) {
      assertThat(tag.destinations()).extracting(r -> r.destination().toString()).containsExactly(
          dests.get(0).withTag(tag.source().tag().orElseThrow()).toString(),
          dests.get(1).withTag(tag.source().tag().orElseThrow()).toString());
      perTag.put(tag.source().tag().orElseThrow(), tag.sourceBytesRead());
    }
    // Each tag is charged the blobs it was the first (in pin order) to need; the shared base layers go to 2.0.0.
    assertThat(perTag.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(report.sourceBytesRead());
    assertThat(report.sourceBytesRead()).isEqualTo(repo.distinctBytes(List.of("2.0.0", "1.0.0", "latest")));
    assertThat(perTag.get("2.0.0")).isEqualTo(repo.distinctBytes(List.of("2.0.0")));
  }

  @Test
  void aMissingSourceRepositoryIsOneLineAndPermanent() {
    Run run = run("--tags", "*", ref(src(), "no/such/repo"), ref(registries.get(1), "x"));

    assertThat(run.exit()).isEqualTo(6);
    assertThat(run.err().strip().lines().toList()).singleElement().asString()
        .startsWith("mirror-worker: list tags of " + ref(src(), "no/such/repo") + " failed: ")
        .contains("NAME_UNKNOWN");
  }

  @Test
  void badUsageIsOneLineNamingTheArgumentAndExitTwo() {
    String digest = "sha256:" + "a".repeat(64);
    String other = "sha256:" + "b".repeat(64);
    String source = ref(src(), "use/app");
    String dest = ref(registries.get(1), "use/app");
    Map<String, List<String>> cases = new java.util.LinkedHashMap<>();
    cases.put("source '" + source + ":1' names a tag or digest; with tag rules it must be a repository",
        List.of("--tags", "1.*", source + ":1", dest));
    cases.put("destination '" + dest + ":1' names a tag or digest; with tag rules every DEST must be a repository",
        List.of("--constraint", ">= 1.0", source, dest + "," + dest + ":1"));
    cases.put("destination '" + dest + "@" + digest + "' names a tag or digest; with a repository source and --pin every "
        + "DEST must be a repository", List.of("--pin", "1@" + digest, source, dest + "@" + digest));
    cases.put("--pin 2@" + digest + " names tag 2 but source '" + source + ":1' names tag 1",
        List.of("--pin", "2@" + digest, source + ":1", dest));
    cases.put("source '" + source + ":1' names tag 1: it takes one --pin, for that tag, not 2 (1@" + digest + ",2@"
        + other + ")", List.of("--pin", "1@" + digest + ",2@" + other, source + ":1", dest));
    cases.put("--pin 1@" + digest + " names digest " + digest + " but source '" + source + ":1@" + other
        + "' names digest " + other, List.of("--pin", "1@" + digest, source + ":1@" + other, dest));
    cases.put("--pin and tag rules cannot be combined: the pins name the tags already",
        List.of("--pin", "1@" + digest, "--tags", "1", source, dest));
    cases.put("--pin names tag 1 twice", List.of("--pin", "1@" + digest, "--pin", "1@" + other, source, dest));
    cases.put("pin '1@sha256:zz': ", List.of("--pin", "1@sha256:zz", source, dest));
    cases.put("Invalid value for option '--max-results': must be 1 or more, not 0",
        List.of("--max-results", "0", source, dest));
    cases.put("Invalid value for option '--constraint': '>= one'", List.of("--constraint", ">= one", source, dest));
    cases.forEach((line, args) -> {
      Run run = run(args.toArray(String[]::new));
      assertThat(run.exit()).as("%s: %s", args, run.err()).isEqualTo(2);
      assertThat(run.err().strip().lines().toList()).as("%s", args).singleElement().asString()
          .startsWith("mirror-worker: " + line);
      assertThat(run.out()).isEmpty();
    });
  }
}
