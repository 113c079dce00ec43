package dev.ecrmirror.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The runnable jar as a user runs it, against a registry that cannot be reached: by default one
 * error line and no retry chatter; with {@code --debug} the retries and the stack trace too.
 * A process, not in-process, because the log level is fixed when the logging back end starts.
 */
class VerbosityIT {
  record Result(int exit, String out, String err) {}

  static Result worker(String... args) throws Exception {
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(javaBin, "-jar", System.getProperty("worker.jar")));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("mirror-worker.jar did not finish: " + command);
      }
      return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
          new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }

  /** A loopback port nothing listens on (bound, then released). */
  static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void unreachableSourceIsOneLineByDefault() throws Exception {
    int port = closedPort();
    String src = "127.0.0.1:" + port + "/team/app:1";
    Result run = worker("--retry-times", "2", src, "127.0.0.1:" + port + "/mirror/app");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("mirror-worker: cannot read source " + src + ": check manifest " + src
        + " failed: cannot reach registry 127.0.0.1:" + port + ": connection refused" + System.lineSeparator());
  }

  @Test
  void debugShowsTheRetriesAndTheStackTrace() throws Exception {
    int port = closedPort();
    String src = "127.0.0.1:" + port + "/team/app:1";
    Result run = worker("--debug", "--retry-times", "2", src, "127.0.0.1:" + port + "/mirror/app");
    assertThat(run.exit()).isEqualTo(1);
    List<String> retries = run.err().lines().filter(l -> l.contains("[DEBUG] RegistryClient - check manifest " + src) && l.contains("retrying in"))
        .toList();
    assertThat(retries).as(run.err()).hasSize(2);
    assertThat(run.err()).contains("mirror-worker: cannot read source " + src + ": ",
        "dev.ecrmirror.common.registry.RegistryException: check manifest " + src, "\tat dev.ecrmirror.",
        "Caused by: java.net.ConnectException");
    assertThat(worker("-v", "--retry-times", "1", src, "127.0.0.1:" + port + "/mirror/app").err())
        .as("-v is --debug").contains("retrying in", "\tat ");
  }
}
