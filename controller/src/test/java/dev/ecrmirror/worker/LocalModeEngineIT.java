package dev.ecrmirror.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.RegistryContents;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.controller.testing.Cli;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code controller sync --local} copies with the engine the worker builds, so it survives what the
 * worker survives: here a source that stalls in the middle of a blob (the worker's
 * {@code FaultToleranceIT} has the same case). Real registries, the worker's fault proxy between the
 * controller and the source, embedded DynamoDB Local. In the worker's package because the proxy is
 * package-private to the worker's tests.
 */
class LocalModeEngineIT {
  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(2);

  @TempDir
  Path data;

  private FaultProxy proxy;

  @AfterEach
  void stopProxy() {
    if (proxy != null) {
      proxy.close();
    }
  }

  private Cli.Run local(String... args) {
    return Cli.local(data, args);
  }

  @Test
  void aBlobDownloadThatStallsIsResumedAfterTheReadTimeoutAsTheWorkerDoes() throws Exception {
    TestImages.Pushed index = new TestImages(registries.get(0).baseUri(), 31)
        .ociIndex("stall/app", "1", List.of("linux/amd64"), 2, 150_000);
    // The first blob download sends half its bytes, then nothing, for a minute, with the connection open.
    proxy = FaultProxy.start(registries.get(0).baseUri()).inject(FaultProxy.blobGet(), FaultProxy.Fault.STALL_MID_BODY, 1);
    String dst = registries.get(1).host();
    assertThat(local("table", "put", proxy.host() + "/stall/app:1", dst + "/stall/app:1").exitCode()).isZero();

    long started = System.nanoTime();
    Cli.Run sync = local("sync", "--read-timeout", "1");
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(sync.exitCode()).as(sync.out() + sync.err()).isZero();
    assertThat(sync.out()).contains("1 mirrored");
    assertThat(took).as("far below the minute the download stalls for").isLessThan(Duration.ofSeconds(30));
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), "stall/app", "1").orElseThrow().digest())
        .isEqualTo(index.digest());
    assertThat(RegistryContents.differences(registries.get(0).baseUri(), "stall/app", registries.get(1).baseUri(),
        "stall/app", "1")).isEmpty();
    assertThat(proxy.seen(s -> s.fault() != null)).as("the stall happened").hasSize(1);
    assertThat(proxy.seen(s -> s.headers().containsKey("range"))).as("resumed with Range").isNotEmpty();
  }

  @Test
  void syncTakesTheWorkersCopyOptions() {
    assertThat(Cli.run("sync", "--help").out()).contains("--read-timeout", "--[no-]create-repository");
    Cli.Run bad = local("sync", "--read-timeout", "0");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("--read-timeout must be at least 1 second, not 0");
  }
}
