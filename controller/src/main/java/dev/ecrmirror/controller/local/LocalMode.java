package dev.ecrmirror.controller.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Local mode's table: the locked data directory and the embedded DynamoDB Local on it. This class
 * names no DynamoDB Local type, so the slim controller jar (the image's, without DynamoDB Local)
 * can load it and say plainly that local mode is not in that build.
 */
public final class LocalMode implements AutoCloseable {
  /** A class only DynamoDB Local's jar holds. */
  private static final String EMBEDDED = "com.amazonaws.services.dynamodbv2.local.embedded.DynamoDBEmbedded";
  /** What the slim jar says when asked for local mode (or when no table is configured). */
  public static final String NOT_IN_THIS_BUILD = "local mode is not in this build (the controller image's jar leaves "
      + "DynamoDB Local out): use controller.jar from a release, or pass --table NAME (or set ECR_MIRROR_TABLE)";

  private final DataDirectory dir;
  private final DynamoDbLocal db;

  private LocalMode(DataDirectory dir, DynamoDbLocal db) {
    this.dir = dir;
    this.db = db;
  }

  /** True when DynamoDB Local is on the class path (controller.jar), false in the slim jar. */
  public static boolean available() {
    try {
      Class.forName(EMBEDDED, false, LocalMode.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * Locks {@code dataDir} (waiting up to {@code wait} for another run, with one note saying so)
   * and opens its store. A damaged store is reported before anything in the directory is written.
   *
   * @param holder this run, as the waiting run will name it (e.g. {@code controller sync --local})
   * @throws LocalStoreException with one line naming the path and what to do
   */
  public static LocalMode open(Path dataDir, String holder, Duration wait, Consumer<String> notes) {
    Path d = DataDirectory.createDirectory(dataDir);
    DynamoDbLocal.checkStore(d.resolve(DynamoDbLocal.STORE));
    DataDirectory locked = DataDirectory.lock(d, holder, wait, notes);
    try {
      return new LocalMode(locked, DynamoDbLocal.start(locked.path()));
    } catch (RuntimeException e) {
      locked.close();
      throw e;
    }
  }

  /** The DynamoDB client of the embedded store. */
  public DynamoDbClient dynamo() {
    return db.client();
  }

  /** Stops DynamoDB Local, then lets the next run in. */
  @Override
  public void close() {
    db.close();
    dir.close();
  }
}
