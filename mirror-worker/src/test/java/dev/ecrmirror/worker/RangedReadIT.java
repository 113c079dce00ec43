package dev.ecrmirror.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.LocalRegistry;
import dev.ecrmirror.common.testing.RegistryContents;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.common.testing.TestImages.Pushed;
import dev.ecrmirror.worker.FaultProxy.Fault;
import dev.ecrmirror.worker.FaultProxy.Seen;
import dev.ecrmirror.worker.MirrorWorkerIT.Run;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A large blob read as several byte ranges at once from a real docker-registry (it honours Range),
 * through a proxy that counts the requests and can refuse ranges or reset one mid-way: every copy
 * byte-exact, at the source digest.
 */
class RangedReadIT {
  private static final AtomicInteger REPO = new AtomicInteger();
  /** About 5.25 MiB: five whole 1 MiB ranges and a short last one. */
  private static final int LAYER = 5 * 1024 * 1024 + 300_000;

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

  /** A fresh image with one layer of about {@link #LAYER} bytes (a little more: the test images vary sizes). */
  private static String freshImage() {
    String repo = "ranged/app" + REPO.incrementAndGet();
    TestImages images = new TestImages(src().baseUri(), 1000 + REPO.get());
    Pushed image = images.image(repo, "linux", "amd64", "", true, 1, LAYER);
    images.tag(repo, "1", image);
    return repo;
  }

  private Run copy(String repo) {
    return copy(repo, 3);
  }

  private Run copy(String repo, int retryTimes) {
    return MirrorWorkerIT.run("--range-threshold", "1", "--range-size", "1", "--ranges", "4",
        "--retry-times", String.valueOf(retryTimes), proxy.host() + "/" + repo + ":1",
        registries.get(1).host() + "/" + repo + ":1," + registries.get(2).host() + "/" + repo + ":1");
  }

  private static void assertByteExact(String repo) {
    for (LocalRegistry dest : List.of(registries.get(1), registries.get(2))) {
      assertThat(RegistryContents.differences(src().baseUri(), repo, dest.baseUri(), repo, "1")).as(dest.host()).isEmpty();
    }
  }

  private static Predicate<Seen> rangedBlobGet() {
    return s -> FaultProxy.blobGet().test(s) && s.headers().containsKey("range");
  }

  /** A bounded range past the first (bytes=N-M, N > 0): not the probe, and not a plain download's resume (bytes=N-). */
  private static Predicate<Seen> laterRange() {
    return s -> rangedBlobGet().test(s) && s.headers().get("range").matches("bytes=[1-9][0-9]*-[0-9]+");
  }

  @Test
  void aLargeBlobIsReadAsSeveralRangesAndArrivesByteExact() throws Exception {
    String repo = freshImage();
    proxy = FaultProxy.start(src().baseUri());

    Run run = copy(repo);

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertByteExact(repo);
    // The layer's ranges (at least 6 of 1 MiB); the config blob is small and read whole.
    assertThat(proxy.seen(rangedBlobGet())).hasSizeGreaterThanOrEqualTo(6);
    assertThat(proxy.seen(s -> FaultProxy.blobGet().test(s) && !s.headers().containsKey("range"))).hasSize(1);
  }

  @Test
  void aSourceThatRefusesRangesIsReadAsOneStream() throws Exception {
    String repo = freshImage();
    proxy = FaultProxy.start(src().baseUri()).inject(FaultProxy.blobGet(), Fault.IGNORE_RANGE, 1000);

    Run run = copy(repo);

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertByteExact(repo);
    // One answer each for the layer (its first range asked, the whole blob given) and the config.
    assertThat(proxy.seen(FaultProxy.blobGet())).hasSize(2);
  }

  @Test
  void aRangeResetMidWayIsAskedAgainFromWhereItBroke() throws Exception {
    String repo = freshImage();
    proxy = FaultProxy.start(src().baseUri()).inject(laterRange(), Fault.RESET_MID_BODY, 2);

    Run run = copy(repo);

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertByteExact(repo);
    assertThat(proxy.seen(s -> Fault.RESET_MID_BODY.name().equals(s.fault()))).hasSize(2);
  }

  @Test
  void rangesThatKeepFailingFallBackToOneResumedStream() throws Exception {
    String repo = freshImage();
    proxy = FaultProxy.start(src().baseUri()).inject(laterRange(), Fault.STATUS_500, 1000);

    Run run = copy(repo, 1);

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertByteExact(repo);
  }
}
