package dev.ecrmirror.controller.local;

import com.amazonaws.services.dynamodbv2.local.embedded.DynamoDBEmbedded;
import com.amazonaws.services.dynamodbv2.local.shared.access.AmazonDynamoDBLocal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * DynamoDB Local embedded in this process, its table kept in one sqlite file in the data
 * directory: calls go straight to its engine, with no socket for anyone else to reach. Telemetry is
 * off. The sqlite4java natives travel inside our jar and are unpacked next to the data on first
 * use, so {@code java -jar controller.jar --local} works alone. Load this class only after
 * {@link LocalMode#available()}: the slim controller jar leaves DynamoDB Local out.
 */
public final class DynamoDbLocal implements AutoCloseable {
  /**
   * The store's file name: the one {@code -sharedDb} gave it when local mode ran DynamoDB Local as
   * a server, so a data directory from an earlier version keeps its table.
   */
  public static final String STORE = "shared-local-instance.db";
  /** Every sqlite 3 database starts with these 16 bytes (https://www.sqlite.org/fileformat.html, 1.3). */
  private static final byte[] SQLITE_HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
  /** The natives bundled by the build, named as sqlite4java looks them up. */
  private static final List<String> NATIVES = List.of(
      "libsqlite4java-linux-amd64.so", "libsqlite4java-osx.dylib", "sqlite4java-win32-x64.dll");
  private static final String NATIVES_RESOURCE = "/dev/ecrmirror/controller/local/natives/";
  private static final String SQLITE4JAVA_VERSION = "1.0.392";
  /**
   * sqlite4java logs through java.util.logging, stack traces included; its errors reach us as
   * exceptions anyway (mapped below). DynamoDB Local resets this logger's level as it starts, so
   * its records are cut off from the console handler instead. A static field: loggers are weakly held.
   */
  private static final java.util.logging.Logger SQLITE_LOG = quiet(java.util.logging.Logger.getLogger("com.almworks.sqlite4java"));

  private final AmazonDynamoDBLocal local;
  private final DynamoDbClient client;

  private DynamoDbLocal(AmazonDynamoDBLocal local) {
    this.local = local;
    this.client = local.dynamoDbClient();
  }

  /**
   * Opens the store in {@code dataDir} (an existing, locked directory; see {@link DataDirectory}).
   *
   * @throws LocalStoreException when the store is not a sqlite database or cannot be opened
   */
  public static synchronized DynamoDbLocal start(Path dataDir) {
    Path store = dataDir.resolve(STORE);
    checkStore(store);
    try {
      unpackNatives(dataDir.resolve("native-" + SQLITE4JAVA_VERSION));
    } catch (IOException e) {
      throw new LocalStoreException("cannot write the local data directory " + DataDirectory.show(dataDir) + ": "
          + e.getMessage());
    }
    PrintStream out = System.out;
    // Loading DynamoDB Local's sqlite natives may print to stdout, where our output (JSON lines) goes.
    System.setOut(new PrintStream(OutputStream.nullOutputStream()));
    DynamoDbLocal db;
    try {
      // true: no telemetry, and so no metadata files in the working directory.
      db = new DynamoDbLocal(DynamoDBEmbedded.create(store.toFile(), true));
    } catch (RuntimeException | LinkageError e) {
      throw failure(store, e);
    } finally {
      System.setOut(out);
    }
    try {
      // The first call reads the schema: a store that is sqlite but damaged fails here, not mid-run.
      db.client.listTables();
      return db;
    } catch (RuntimeException e) {
      db.close();
      throw failure(store, e);
    }
  }

  private static java.util.logging.Logger quiet(java.util.logging.Logger logger) {
    logger.setUseParentHandlers(false);
    return logger;
  }

  /** A present, non-empty store must carry sqlite's header; anything else is not ours to open. */
  static void checkStore(Path store) {
    if (Files.isDirectory(store)) {
      throw corrupt(store, "a directory, not a database file");
    }
    if (!Files.isRegularFile(store)) {
      return;
    }
    try (InputStream in = Files.newInputStream(store)) {
      byte[] head = in.readNBytes(SQLITE_HEADER.length);
      if (head.length > 0 && !Arrays.equals(head, SQLITE_HEADER)) {
        throw corrupt(store, "not a sqlite database");
      }
    } catch (IOException e) {
      throw new LocalStoreException("cannot read the local store " + DataDirectory.show(store) + ": " + e.getMessage());
    }
  }

  /** sqlite's "corrupt" and "not a database" errors become the one line saying what to do. */
  private static LocalStoreException failure(Path store, Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (m.contains("SQLITE_CORRUPT") || m.contains("SQLITE_NOTADB") || m.contains("malformed")
          || m.contains("not a database")) {
        return corrupt(store, "damaged (" + m.strip().lines().findFirst().orElse("") + ")");
      }
    }
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return new LocalStoreException("cannot open the local store " + DataDirectory.show(store) + ": "
        + (root.getMessage() != null ? root.getMessage().strip().lines().findFirst().orElse("") : root.toString()));
  }

  private static LocalStoreException corrupt(Path store, String what) {
    String s = DataDirectory.show(store);
    return new LocalStoreException("the local store " + s + " is " + what + ": move it aside (mv " + s + " " + s
        + ".bad) to start with an empty table, or pass another --data-dir");
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

  /** A DynamoDB client calling the embedded engine directly; closed by {@link #close()}. */
  public DynamoDbClient client() {
    return client;
  }

  @Override
  public void close() {
    try {
      // shutdownNow: its background jobs sleep for hours and would keep a JVM from exiting.
      local.shutdownNow();
    } catch (RuntimeException e) {
      // Stopping is best effort; the process is about to end or the test is done.
    }
  }
}
