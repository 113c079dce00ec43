package dev.ecrmirror.worker;

import static dev.ecrmirror.worker.FaultProxy.tagPut;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.FailureKind;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryOptions;
import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.LocalRegistry;
import dev.ecrmirror.common.testing.RegistryContents;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.common.testing.TestImages.Pushed;
import dev.ecrmirror.worker.FaultProxy.Fault;
import dev.ecrmirror.worker.MirrorWorkerIT.Run;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What each kind of failure makes of the worker's run: the destination's kind in {@code --json}
 * and the exit code the controller reads from a Batch job, against real registries.
 *
 * <p>The one stub: docker-registry has no immutable tags, so an immutable ECR repository is played
 * by {@link FaultProxy} in front of a real registry, answering a manifest PUT to a tag that registry
 * already holds as ECR does (HTTP 400 {@code TAG_INVALID}, "... cannot be overwritten because the
 * repository is immutable."). Every other answer, new tags included, comes from the registry itself.
 */
class FailureKindsIT {
  private static final AtomicInteger REPO = new AtomicInteger();

  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(3);

  private FaultProxy proxy;

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
  }

  private static LocalRegistry src() {
    return registries.get(0);
  }

  private static String freshRepo() {
    return "kinds/app" + REPO.incrementAndGet();
  }

  private static Pushed image(LocalRegistry registry, String repo, String tag, long seed) {
    return new TestImages(registry.baseUri(), seed).ociIndex(repo, tag, List.of("linux/amd64", "linux/arm64"), 2, 20_000);
  }

  private static Digest digestAt(LocalRegistry registry, String repo, String tag) {
    return RegistryContents.manifest(registry.baseUri(), repo, tag).orElseThrow().digest();
  }

  private static JsonNode json(Run run) {
    try {
      return new ObjectMapper().readTree(run.out());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + run.out() + run.err(), e);
    }
  }

  @Test
  void anImmutableTagHoldingAnotherDigestIsAConflictWhileTheHealthyDestinationIsCopied() throws Exception {
    String repo = freshRepo();
    Pushed wanted = image(src(), repo, "1", 1);
    Pushed old = image(registries.get(1), repo, "1", 2);
    proxy = FaultProxy.start(registries.get(1).baseUri()).inject(tagPut(), Fault.IMMUTABLE_TAG, Integer.MAX_VALUE);

    Run run = MirrorWorkerIT.run("--json", src().host() + "/" + repo + ":1",
        proxy.host() + "/" + repo + ":1", registries.get(2).host() + "/" + repo + ":1");

    assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(FailureKind.CONFLICT.exitCode()).isEqualTo(4);
    JsonNode immutable = json(run).at("/destinations/0");
    assertThat(immutable.at("/status").asText()).isEqualTo("failed");
    assertThat(immutable.at("/kind").asText()).isEqualTo("conflict");
    assertThat(immutable.at("/error").asText()).contains("TAG_INVALID", "cannot be overwritten because the repository is immutable");
    assertThat(digestAt(registries.get(1), repo, "1")).as("the immutable tag keeps its digest").isEqualTo(old.digest());
    JsonNode healthy = json(run).at("/destinations/1");
    assertThat(healthy.at("/status").asText()).isEqualTo("copied");
    assertThat(healthy.at("/kind").isNull()).isTrue();
    assertThat(digestAt(registries.get(2), repo, "1")).isEqualTo(wanted.digest());
    assertThat(RegistryContents.differences(src().baseUri(), repo, registries.get(2).baseUri(), repo, "1")).isEmpty();
  }

  @Test
  void theEngineGivesInProcessCallersTheSameKinds() throws Exception {
    // Local mode runs the engine in the controller's process and reads DestinationResult.failure().
    String repo = freshRepo();
    Pushed wanted = image(src(), repo, "1", 10);
    image(registries.get(1), repo, "1", 11);
    proxy = FaultProxy.start(registries.get(1).baseUri()).inject(tagPut(), Fault.IMMUTABLE_TAG, Integer.MAX_VALUE);
    MirrorEngine engine = MirrorEngines.build(new RegistryClient(RegistryOptions.defaults()),
        MirrorEngines.Settings.defaults(4), MirrorEngineTesting.NO_ECR);

    MirrorReport report = engine.mirror(new MirrorRequest(ImageReference.parse(src().host() + "/" + repo + ":1"),
        List.of(ImageReference.parse(proxy.host() + "/" + repo + ":1"),
            ImageReference.parse(registries.get(2).host() + "/" + repo + ":1"),
            ImageReference.parse("127.0.0.1:1/" + repo + ":1")),
        List.of(), false));

    assertThat(report.destinations()).extracting(d -> d.failure().map(Failure::kind))
        .containsExactly(Optional.of(FailureKind.CONFLICT), Optional.empty(), Optional.of(FailureKind.TRANSIENT));
    assertThat(report.destinations().get(1).digest()).contains(wanted.digest());
    assertThat(report.worstFailure()).contains(FailureKind.CONFLICT);
  }

  @Test
  void aPinnedJobWithOneConflictingTagCopiesTheOtherTagsAndExitsWithTheConflict() throws Exception {
    String repo = freshRepo();
    Pushed one = image(src(), repo, "1", 3);
    Pushed two = image(src(), repo, "2", 4);
    Pushed old = image(registries.get(1), repo, "1", 5);
    proxy = FaultProxy.start(registries.get(1).baseUri()).inject(tagPut(), Fault.IMMUTABLE_TAG, Integer.MAX_VALUE);

    // The form the controller's Batch jobs use: a repository source, pinned tags, destination repositories.
    Run run = MirrorWorkerIT.run("--json", "--pin", "1@" + one.digest() + ",2@" + two.digest(),
        src().host() + "/" + repo, proxy.host() + "/" + repo);

    assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(4);
    JsonNode report = json(run);
    assertThat(report.at("/tags/0/destinations/0/kind").asText()).isEqualTo("conflict");
    assertThat(report.at("/tags/1/destinations/0/status").asText()).isEqualTo("copied");
    assertThat(digestAt(registries.get(1), repo, "1")).isEqualTo(old.digest());
    assertThat(digestAt(registries.get(1), repo, "2")).isEqualTo(two.digest());
  }

  @Test
  void aSourceThatIsGoneIsPermanent() {
    String repo = freshRepo();

    Run run = MirrorWorkerIT.run(src().host() + "/" + repo + ":1", registries.get(1).host() + "/" + repo + ":1");

    assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(FailureKind.PERMANENT.exitCode()).isEqualTo(6);
    assertThat(run.err()).contains("cannot read source", "MANIFEST_UNKNOWN").hasLineCount(1);
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), repo, "1")).isEmpty();
  }

  @Test
  void aPinnedDigestTheSourceNoLongerHasIsPermanentForThatTagAlone() {
    String repo = freshRepo();
    Pushed kept = image(src(), repo, "1", 6);
    Digest deleted = new TestImages(src().baseUri(), 7).ociIndex("kinds/elsewhere" + REPO.get(), "1",
        List.of("linux/amd64"), 1, 1_000).digest();

    Run run = MirrorWorkerIT.run("--json", "--pin", "1@" + kept.digest() + ",2@" + deleted,
        src().host() + "/" + repo, registries.get(1).host() + "/" + repo);

    assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(6);
    JsonNode report = json(run);
    assertThat(report.at("/tags/1/destinations/0/kind").asText()).isEqualTo("permanent");
    assertThat(report.at("/tags/1/destinations/0/error").asText()).contains("404");
    assertThat(digestAt(registries.get(1), repo, "1")).isEqualTo(kept.digest());
  }

  @Test
  void aDestinationAnswering500ThroughoutIsTransientAndTheOtherIsCopied() throws Exception {
    String repo = freshRepo();
    Pushed wanted = image(src(), repo, "1", 8);
    proxy = FaultProxy.start(registries.get(1).baseUri()).inject(s -> true, Fault.STATUS_500, Integer.MAX_VALUE);

    Run run = MirrorWorkerIT.run("--json", "--retry-times", "1", src().host() + "/" + repo + ":1",
        proxy.host() + "/" + repo + ":1", registries.get(2).host() + "/" + repo + ":1");

    assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(FailureKind.TRANSIENT.exitCode()).isEqualTo(1);
    assertThat(json(run).at("/destinations/0/kind").asText()).isEqualTo("transient");
    assertThat(json(run).at("/destinations/0/error").asText()).contains("HTTP 500");
    assertThat(digestAt(registries.get(2), repo, "1")).isEqualTo(wanted.digest());
  }

  @Test
  void aSourceAnswering429ThroughoutIsRateLimited() throws Exception {
    String repo = freshRepo();
    image(src(), repo, "1", 12);
    proxy = FaultProxy.start(src().baseUri()).inject(s -> true, Fault.TOO_MANY_REQUESTS, Integer.MAX_VALUE);

    Run run = MirrorWorkerIT.run("--retry-times", "0", proxy.host() + "/" + repo + ":1",
        registries.get(1).host() + "/" + repo + ":1");

    assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(FailureKind.RATE_LIMITED.exitCode()).isEqualTo(5);
    assertThat(run.err()).contains("cannot read source", "429").hasLineCount(1);
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), repo, "1")).isEmpty();
  }

  @Test
  void aSourceAnswering500ThroughoutIsTransient() throws Exception {
    String repo = freshRepo();
    image(src(), repo, "1", 9);
    proxy = FaultProxy.start(src().baseUri()).inject(s -> true, Fault.STATUS_500, Integer.MAX_VALUE);

    Run run = MirrorWorkerIT.run("--retry-times", "1", proxy.host() + "/" + repo + ":1",
        registries.get(1).host() + "/" + repo + ":1");

    assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(1);
    assertThat(run.err()).contains("cannot read source", "HTTP 500").hasLineCount(1);
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), repo, "1")).isEmpty();
  }
}
