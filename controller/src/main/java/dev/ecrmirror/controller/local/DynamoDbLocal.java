package dev.ecrmirror.controller.local;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * DynamoDB Local running in this process on a loopback port, keeping its data in a directory.
 * Telemetry is off. The sqlite4java native libraries it needs travel inside our jar and are
 * unpacked next to the data on first use, so {@code java -jar controller.jar --local} works alone.
 */
public final class DynamoDbLocal implements AutoCloseable {
  /** The natives bundled by the build, named as sqlite4java looks them up. */
  private static final List<String> NATIVES = List.of(
      "libsqlite4java-linux-amd64.so", "libsqlite4java-osx.dylib", "sqlite4java-win32-x64.dll");
  private static final String NATIVES_RESOURCE = "/dev/ecrmirror/controller/local/natives/";
  private static final String SQLITE4JAVA_VERSION = "1.0.392";

  /** sqlite4java logs a warning about its jar's version through java.util.logging on every start. */
  private static final java.util.logging.Logger SQLITE_LOG = java.util.logging.Logger.getLogger("com.almworks.sqlite4java");

  private final DynamoDBProxyServer server;
  private final int port;

  private DynamoDbLocal(DynamoDBProxyServer server, int port) {
    this.server = server;
    this.port = port;
  }

  /** Starts DynamoDB Local with its database files in {@code dataDir} (created if missing). */
  public static synchronized DynamoDbLocal start(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
      SQLITE_LOG.setLevel(java.util.logging.Level.SEVERE);
      unpackNatives(dataDir.resolve("native-" + SQLITE4JAVA_VERSION));
      int port = freePort();
      // -sharedDb: one database whatever the credentials and region; -disableTelemetry: no
      // telemetry calls and no metadata files in the working directory.
      String[] args = {"-dbPath", dataDir.toString(), "-port", Integer.toString(port), "-sharedDb", "-disableTelemetry"};
      PrintStream out = System.out;
      DynamoDBProxyServer server;
      // DynamoDB Local prints a configuration banner on stdout, where our output (JSON lines) goes.
      System.setOut(new PrintStream(OutputStream.nullOutputStream()));
      try {
        server = ServerRunner.createServerFromCommandLineArgs(args);
        server.start();
        // Starting resets java.util.logging levels: quiet sqlite4java again before the first query.
        SQLITE_LOG.setLevel(java.util.logging.Level.SEVERE);
      } finally {
        System.setOut(out);
      }
      return new DynamoDbLocal(server, port);
    } catch (IOException e) {
      throw new IllegalStateException("cannot use the local data directory " + dataDir + ": " + e.getMessage(), e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the embedded DynamoDB Local in " + dataDir + ": " + e.getMessage(), e);
    }
  }

  private static void unpackNatives(Path dir) throws IOException {
    String configured = System.getProperty("sqlite4java.library.path");
    if (configured != null && !configured.isBlank()) {
      return;
    }
    Files.createDirectories(dir);
    boolean any = false;
    for (String name : NATIVES) {
      try (InputStream in = DynamoDbLocal.class.getResourceAsStream(NATIVES_RESOURCE + name)) {
        if (in == null) {
          continue;
        }
        Path target = dir.resolve(name);
        if (!Files.exists(target)) {
          Path tmp = Files.createTempFile(dir, name, ".part");
          Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
          Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        any = true;
      }
    }
    if (any) {
      System.setProperty("sqlite4java.library.path", dir.toString());
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** {@code http://localhost:PORT}, for the DynamoDB client's endpoint override. */
  public URI endpoint() {
    return URI.create("http://localhost:" + port);
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      // Stopping is best effort; the process is about to end or the test is done.
    }
  }
}
