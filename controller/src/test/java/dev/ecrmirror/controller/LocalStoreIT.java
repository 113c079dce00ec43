package dev.ecrmirror.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ecrmirror.controller.cli.ControllerCli;
import dev.ecrmirror.controller.local.DataDirectory;
import dev.ecrmirror.controller.local.DynamoDbLocal;
import dev.ecrmirror.controller.local.LocalMode;
import dev.ecrmirror.controller.testing.Cli;
import dev.ecrmirror.controller.testing.ListeningPorts;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Local mode's data directory as a user meets it: the embedded DynamoDB Local opens no socket,
 * a second run waits for the first (and gives up after --lock-wait), and a damaged store or a
 * file given as --data-dir ends the run with one line that names the path and says what to do.
 */
class LocalStoreIT {
  private static final long PID = ProcessHandle.current().pid();

  @TempDir
  Path work;

  Cli.Run run(Path data, String... args) {
    return Cli.local(data, args);
  }

  @Test
  void localModeListensOnNoSocketReachableFromAnotherAddress() throws Exception {
    assumeTrue(ListeningPorts.supported(), "needs Linux /proc to list this process's sockets");
    Optional<InetAddress> external = ListeningPorts.nonLoopbackAddress();
    assumeTrue(external.isPresent(), "this machine has no non-loopback address to connect from");
    // The probe catches a server like the one local mode used to start (every interface, any port).
    try (ServerSocket everywhere = new ServerSocket(0)) {
      assertThat(ListeningPorts.ofThisProcess()).contains(everywhere.getLocalPort());
      assertThat(ListeningPorts.accepts(external.get(), everywhere.getLocalPort())).isTrue();
    }

    Set<Integer> before = ListeningPorts.ofThisProcess();
    try (LocalMode db = LocalMode.open(work.resolve("data"), "test", Duration.ZERO, note -> { })) {
      db.dynamo().listTables();
      Set<Integer> opened = new HashSet<>(ListeningPorts.ofThisProcess());
      opened.removeAll(before);
      assertThat(opened).as("ports local mode listens on").isEmpty();
      for (int port : opened) {
        assertThat(ListeningPorts.accepts(external.get(), port)).as("port " + port + " from " + external.get()).isFalse();
      }
    }
    // And the whole CLI path: a table round trip leaves no listener behind either.
    assertThat(run(work.resolve("data"), "table", "put", "alpine", "127.0.0.1:5000/alpine").exitCode()).isZero();
    assertThat(ListeningPorts.ofThisProcess()).isSubsetOf(before);
  }

  @Test
  void aSecondRunWaitsForTheFirstAndThenRuns() throws Exception {
    Path data = work.resolve("data");
    assertThat(run(data, "table", "put", "alpine", "127.0.0.1:5000/alpine").exitCode()).isZero();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CompletableFuture<Integer> second;
    try (DataDirectory first = DataDirectory.lock(data, "controller sync --local", Duration.ZERO, note -> { })) {
      CommandLine cli = ControllerCli.commandLine();
      cli.setOut(new PrintWriter(out));
      cli.setErr(new PrintWriter(err));
      second = CompletableFuture.supplyAsync(() -> cli.execute("table", "list", "--json", "--local", "--data-dir=" + data));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!err.toString().contains("waiting for") && !second.isDone() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      Thread.sleep(300);
      assertThat(second).as("the second run waits while the first holds the directory").isNotDone();
    }
    Cli.Run done = new Cli.Run(second.get(60, TimeUnit.SECONDS), out.toString(), err.toString());
    assertThat(done.err()).isEqualTo("note: waiting for pid " + PID + " (controller sync --local) to release " + data + "\n");
    assertThat(done.exitCode()).isZero();
    assertThat(done.out()).contains("\"Source\":\"docker.io/library/alpine:latest\"");
  }

  @Test
  void aSecondRunGivesUpAfterTheLockWait() {
    Path data = work.resolve("data");
    try (DataDirectory first = DataDirectory.lock(data, "controller sync --local", Duration.ZERO, note -> { })) {
      Cli.Run run = run(data, "sync", "--lock-wait", "1");
      assertThat(run.exitCode()).isEqualTo(1);
      assertThat(run.err()).isEqualTo("note: waiting for pid " + PID + " (controller sync --local) to release " + data + "\n"
          + "controller sync: gave up after 1 second waiting for pid " + PID + " (controller sync --local) to release " + data
          + ": stop it, or pass another --data-dir\n");
      assertThat(run.out()).isEmpty();
    }
  }

  @Test
  void aStoreThatIsNotSqliteIsReportedAndLeftAlone() throws IOException {
    Path data = Files.createDirectories(work.resolve("data"));
    Path store = data.resolve(DynamoDbLocal.STORE);
    byte[] garbage = "this is not a database, it is a shopping list\n".repeat(50).getBytes(StandardCharsets.UTF_8);
    Files.write(store, garbage);

    Cli.Run run = run(data, "sync");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("controller sync: the local store " + store + " is not a sqlite database: move it aside (mv "
        + store + " " + store + ".bad) to start with an empty table, or pass another --data-dir\n");
    assertThat(Files.readAllBytes(store)).isEqualTo(garbage);
    assertThat(listing(data)).containsExactly(DynamoDbLocal.STORE);
  }

  @Test
  void aDamagedSqliteStoreIsReportedInOneLine() throws IOException {
    Path data = work.resolve("data");
    assertThat(run(data, "table", "put", "alpine", "127.0.0.1:5000/alpine").exitCode()).isZero();
    Path store = data.resolve(DynamoDbLocal.STORE);
    // Keep sqlite's 100-byte header, overwrite the pages after it: sqlite itself finds the damage.
    try (RandomAccessFile f = new RandomAccessFile(store.toFile(), "rw")) {
      f.seek(100);
      f.write("garbage!".repeat((int) (f.length() - 100) / 8).getBytes(StandardCharsets.UTF_8));
    }
    byte[] damaged = Files.readAllBytes(store);

    Cli.Run run = run(data, "table", "list");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).startsWith("controller table list: the local store " + store + " is damaged (")
        .endsWith("): move it aside (mv " + store + " " + store + ".bad) to start with an empty table, or pass another "
            + "--data-dir\n")
        .doesNotContain("Exception").hasLineCount(1);
    assertThat(Files.readAllBytes(store)).isEqualTo(damaged);
  }

  @Test
  void aFileAsDataDirIsReportedInOneLine() throws IOException {
    Path file = Files.writeString(work.resolve("notes.txt"), "mine");
    Cli.Run run = run(file, "table", "list");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("controller table list: --data-dir " + file + " is a file, not a directory: pass a directory (it is "
        + "created if missing)\n");
    assertThat(Files.readString(file)).isEqualTo("mine");

    Cli.Run under = run(file.resolve("sub"), "table", "list");
    assertThat(under.exitCode()).isEqualTo(1);
    assertThat(under.err()).isEqualTo("controller table list: cannot create --data-dir " + file.resolve("sub") + ": " + file
        + " is a file, not a directory\n");
  }

  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
