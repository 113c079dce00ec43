package dev.ecrmirror.worker;

import static dev.ecrmirror.worker.FaultProxy.blobPut;
import static dev.ecrmirror.worker.FaultProxy.manifestPut;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecrmirror.common.manifest.MediaTypes;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.LocalRegistry;
import dev.ecrmirror.common.testing.RegistryContents;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.common.testing.TestImages.Pushed;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Signatures, SBOMs and attestations travel with the image, byte for byte: cosign's
 * {@code sha256-<hex>.sig} tags, an SBOM referring to the image through {@code subject}, and the
 * referrers tag schema's {@code sha256-<hex>} index. Real docker-registry processes throughout;
 * docker-registry 2.8 has no referrers API, so where a source must serve one, a {@link FaultProxy}
 * in front of a real registry answers {@code /referrers/} itself and passes everything else through.
 * Destinations sit behind a recording {@link FaultProxy} too, to count what was pushed.
 */
class ReferrersIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SPDX = "application/spdx+json";

  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(2);

  private static LocalRegistry src() {
    return registries.get(0);
  }

  private static LocalRegistry dst() {
    return registries.get(1);
  }

  /** An image with a cosign signature on its index and on one platform, an SBOM referring to the index, and the index listing it. */
  private record Signed(Pushed index, Digest platform, Pushed signature, Pushed platformSignature, Pushed sbom, Pushed schemaIndex) {}

  private static Signed signedImage(String repo, long seed, boolean schemaIndex) {
    TestImages images = new TestImages(src().baseUri(), seed);
    Pushed index = images.ociIndex(repo, "1.0", List.of("linux/amd64", "linux/arm64"), 1, 4_000);
    Digest platform = Digest.parse(readJson(RegistryContents.manifest(src().baseUri(), repo, "1.0").orElseThrow().bytes())
        .path("manifests").path(0).path("digest").asText());
    Pushed signature = images.cosignSignature(repo, index.digest());
    Pushed platformSignature = images.cosignSignature(repo, platform);
    Pushed sbom = sbom(images, repo, index);
    Pushed schema = schemaIndex ? images.manifest(repo, tag(index.digest()), indexOf(sbom), MediaTypes.OCI_INDEX) : null;
    return new Signed(index, platform, signature, platformSignature, sbom, schema);
  }

  /** An SPDX SBOM as an OCI 1.1 artifact referring to {@code subject}; pushed by digest only. */
  private static Pushed sbom(TestImages images, String repo, Pushed subject) {
    Pushed empty = images.blob(repo, "{}".getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_EMPTY);
    Pushed doc = images.blob(repo, ("{\"spdxVersion\":\"SPDX-2.3\",\"name\":\"" + repo + "\"}").getBytes(StandardCharsets.UTF_8), SPDX);
    ObjectNode m = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST)
        .put("artifactType", SPDX);
    m.set("config", descriptor(empty));
    m.putArray("layers").add(descriptor(doc));
    m.set("subject", descriptor(subject));
    m.putObject("annotations").put("org.opencontainers.image.created", "2026-01-02T00:00:00Z");
    byte[] b = bytes(m);
    return images.manifest(repo, Digest.sha256(b).toString(), b, MediaTypes.OCI_MANIFEST);
  }

  /** The referrers index listing {@code sbom}, as the tag schema and the referrers API both write it. */
  private static byte[] indexOf(Pushed... referrers) {
    ObjectNode idx = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_INDEX);
    ArrayNode manifests = idx.putArray("manifests");
    for (Pushed r : referrers) {
      manifests.add(descriptor(r).put("artifactType", SPDX));
    }
    return bytes(idx);
  }

  private static String tag(Digest subject) {
    return "sha256-" + subject.hex();
  }

  @Test
  void signaturesSbomAndTheReferrersIndexArriveByteExactAndASecondRunPushesNothing() throws IOException {
    Signed s = signedImage("signed/app", 1, true);
    try (FaultProxy dest = FaultProxy.start(dst().baseUri())) {
      String to = dest.host() + "/mirror/app:1.0";

      MirrorWorkerIT.Run run = MirrorWorkerIT.run("--json", src().host() + "/signed/app:1.0", to);

      assertThat(run.exit()).as(run.err()).isZero();
      for (String ref : List.of("1.0", tag(s.index().digest()) + ".sig", tag(s.platform()) + ".sig", tag(s.index().digest()))) {
        assertThat(RegistryContents.differences(src().baseUri(), "signed/app", dst().baseUri(), "mirror/app", ref))
            .as(ref).isEmpty();
      }
      // The SBOM came as a child of the schema index: by digest, byte for byte, with its subject.
      assertThat(RegistryContents.manifest(dst().baseUri(), "mirror/app", s.sbom().digest().toString()).orElseThrow().digest())
          .isEqualTo(s.sbom().digest());
      JsonNode report = readJson(run.out().getBytes(StandardCharsets.UTF_8));
      assertThat(report.path("referrers")).hasSize(3);
      assertThat(report.path("referrers").findValuesAsText("status")).containsOnly("copied");

      int puts = dest.seen(manifestPut().or(blobPut())).size();
      MirrorWorkerIT.Run again = MirrorWorkerIT.run(src().host() + "/signed/app:1.0", to);
      MirrorWorkerIT.Run referrersOnly = MirrorWorkerIT.run("--referrers-only", src().host() + "/signed/app:1.0", to);

      assertThat(again.exit()).as(again.err()).isZero();
      assertThat(referrersOnly.exit()).as(referrersOnly.err()).isZero();
      assertThat(dest.seen(manifestPut().or(blobPut()))).as("pushes after the first run").hasSize(puts);
    }
  }

  @Test
  void aSignatureAddedAfterTheImageWasMirroredComesWithReferrersOnlyAndNothingElseIsPushed() throws IOException {
    Signed s = signedImage("late/app", 2, false);
    try (FaultProxy dest = FaultProxy.start(dst().baseUri())) {
      String to = dest.host() + "/late/app:1.0";
      assertThat(MirrorWorkerIT.run(src().host() + "/late/app:1.0", to).exit()).isZero();
      TestImages images = new TestImages(src().baseUri(), 3);
      Pushed attestation = images.manifest("late/app", tag(s.index().digest()) + ".att",
          bytes(JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST)
              .<ObjectNode>set("config", descriptor(images.blob("late/app", "{}".getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_CONFIG)))
              .<ObjectNode>set("layers", JSON.createArrayNode().add(descriptor(images.blob("late/app",
                  images.randomBytes(300), "application/vnd.dsse.envelope.v1+json"))))), MediaTypes.OCI_MANIFEST);
      int before = dest.seen(manifestPut()).size();

      MirrorWorkerIT.Run plain = MirrorWorkerIT.run(src().host() + "/late/app:1.0", to);
      assertThat(plain.exit()).isZero();
      assertThat(dest.seen(manifestPut())).as("an image in sync: its referrers are not looked at").hasSize(before);

      MirrorWorkerIT.Run run = MirrorWorkerIT.run("--referrers-only", src().host() + "/late/app:1.0", to);

      assertThat(run.exit()).as(run.err()).isZero();
      assertThat(run.out()).contains("referrer").contains(tag(s.index().digest()) + ".att");
      assertThat(RegistryContents.differences(src().baseUri(), "late/app", dst().baseUri(), "late/app",
          tag(s.index().digest()) + ".att")).isEmpty();
      assertThat(dest.seen(manifestPut())).as("only the attestation's manifest").hasSize(before + 1);
      assertThat(RegistryContents.manifest(dst().baseUri(), "late/app", tag(s.index().digest()) + ".att").orElseThrow().digest())
          .isEqualTo(attestation.digest());
    }
  }

  @Test
  void referrersTypeExcludesTheSbomAndKeepsTheSignatures() {
    Signed s = signedImage("typed/app", 4, true);

    MirrorWorkerIT.Run run = MirrorWorkerIT.run("--referrers-type", "!" + SPDX, src().host() + "/typed/app:1.0",
        dst().host() + "/typed/app:1.0");

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(RegistryContents.differences(src().baseUri(), "typed/app", dst().baseUri(), "typed/app",
        tag(s.index().digest()) + ".sig")).isEmpty();
    assertThat(RegistryContents.manifest(dst().baseUri(), "typed/app", s.sbom().digest().toString())).isEmpty();
    // Its only entry filtered out, the schema index is not written: never an empty one.
    assertThat(RegistryContents.manifest(dst().baseUri(), "typed/app", tag(s.index().digest()))).isEmpty();
  }

  @Test
  void noReferrersCopiesTheImageAlone() {
    Signed s = signedImage("plain/app", 5, true);

    MirrorWorkerIT.Run run = MirrorWorkerIT.run("--no-referrers", src().host() + "/plain/app:1.0", dst().host() + "/plain/app:1.0");

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(RegistryContents.manifest(dst().baseUri(), "plain/app", "1.0")).isPresent();
    assertThat(RegistryContents.manifest(dst().baseUri(), "plain/app", tag(s.index().digest()) + ".sig")).isEmpty();
  }

  @Test
  void referrersTheSourceApiListsAreCopiedByDigestAndIndexedAtADestinationWithoutTheApi() throws IOException {
    Signed s = signedImage("api/app", 6, false);
    byte[] listed = indexOf(s.sbom());
    byte[] none = indexOf();
    Predicate<FaultProxy.Seen> referrersCall = r -> r.method().equals("GET") && r.path().contains("/referrers/");
    try (FaultProxy source = FaultProxy.start(src().baseUri())
            .answer(referrersCall, MediaTypes.OCI_INDEX, r -> r.path().endsWith(s.index().digest().toString()) ? listed : none);
        FaultProxy dest = FaultProxy.start(dst().baseUri())) {
      String from = source.host() + "/api/app:1.0";
      String to = dest.host() + "/api/mirror:1.0";

      MirrorWorkerIT.Run run = MirrorWorkerIT.run(from, to);

      assertThat(run.exit()).as(run.err()).isZero();
      var sbom = RegistryContents.manifest(dst().baseUri(), "api/mirror", s.sbom().digest().toString());
      assertThat(sbom).isPresent();
      assertThat(RegistryContents.differences(src().baseUri(), "api/app", dst().baseUri(), "api/mirror",
          s.sbom().digest().toString())).isEmpty();
      JsonNode built = readJson(RegistryContents.manifest(dst().baseUri(), "api/mirror", tag(s.index().digest()))
          .orElseThrow().bytes());
      assertThat(built.path("manifests")).hasSize(1);
      assertThat(built.path("manifests").path(0).path("digest").asText()).isEqualTo(s.sbom().digest().toString());
      assertThat(built.path("manifests").path(0).path("artifactType").asText()).isEqualTo(SPDX);
      // A platform nothing refers to gets no index: never an empty one.
      assertThat(RegistryContents.manifest(dst().baseUri(), "api/mirror", tag(s.platform()))).isEmpty();
      // Discovery: one tag listing, one referrers call per subject (the index and its two platforms).
      assertThat(source.seen(r -> r.path().contains("/tags/list"))).hasSize(1);
      assertThat(source.seen(referrersCall)).hasSize(3);

      int puts = dest.seen(manifestPut().or(blobPut())).size();
      MirrorWorkerIT.Run again = MirrorWorkerIT.run("--referrers-only", from, to);
      assertThat(again.exit()).as(again.err()).isZero();
      assertThat(dest.seen(manifestPut().or(blobPut()))).as("pushes after the first run").hasSize(puts);
    }
  }

  @Test
  void pinnedTagsOfARepositoryBringTheirSignaturesAndASecondRunPushesNothing() throws IOException {
    TestImages images = new TestImages(src().baseUri(), 8);
    Pushed one = images.image("repo/app", "linux", "amd64", "", true, 1, 2_000);
    images.tag("repo/app", "1.0", one);
    Pushed two = images.ociIndex("repo/app", "2.0", List.of("linux/amd64", "linux/arm64"), 1, 2_000);
    images.cosignSignature("repo/app", one.digest());
    images.cosignSignature("repo/app", two.digest());
    try (FaultProxy dest = FaultProxy.start(dst().baseUri())) {
      String[] args = {"--pin", "1.0@" + one.digest() + ",2.0@" + two.digest(), src().host() + "/repo/app",
          dest.host() + "/repo/mirror"};

      MirrorWorkerIT.Run run = MirrorWorkerIT.run(args);

      assertThat(run.exit()).as(run.err()).isZero();
      for (Pushed p : List.of(one, two)) {
        assertThat(RegistryContents.differences(src().baseUri(), "repo/app", dst().baseUri(), "repo/mirror",
            tag(p.digest()) + ".sig")).isEmpty();
      }
      assertThat(run.out().lines().filter(l -> l.startsWith("referrer"))).hasSize(2);
      int puts = dest.seen(manifestPut().or(blobPut())).size();
      assertThat(MirrorWorkerIT.run(args).exit()).isZero();
      assertThat(dest.seen(manifestPut().or(blobPut()))).hasSize(puts);
    }
  }

  @Test
  void referrersOnlyFailsADestinationThatLacksTheImage() {
    signedImage("missing/app", 7, false);

    MirrorWorkerIT.Run run = MirrorWorkerIT.run("--referrers-only", src().host() + "/missing/app:1.0",
        dst().host() + "/missing/app:1.0");

    assertThat(run.exit()).isEqualTo(6);
    assertThat(run.out()).contains("lacks the image");
    assertThat(RegistryContents.manifest(dst().baseUri(), "missing/app", "1.0")).isEmpty();
  }

  private static ObjectNode descriptor(Pushed p) {
    return JSON.createObjectNode().put("mediaType", p.mediaType()).put("digest", p.digest().toString()).put("size", p.size());
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode readJson(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new AssertionError(new String(bytes, StandardCharsets.UTF_8), e);
    }
  }
}
