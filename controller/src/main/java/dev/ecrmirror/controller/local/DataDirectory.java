package dev.ecrmirror.controller.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Local mode's data directory, held for the length of one run: an exclusive {@link FileLock} on
 * {@code DIR/lock}, whose text names the holder (pid and command), so a second run on the same
 * directory waits for the first instead of both writing one sqlite file (which ends in
 * {@code SQLiteBusy} errors). The operating system drops the lock when its process dies, so a
 * crashed run never leaves a stale lock behind.
 */
public final class DataDirectory implements AutoCloseable {
  /** The lock file's name inside the data directory. */
  static final String LOCK_FILE = "lock";
  /** How long a second run waits for the first by default. */
  public static final Duration DEFAULT_WAIT = Duration.ofMinutes(10);
  private static final Duration POLL = Duration.ofMillis(200);

  /** Waits between attempts; tests move a simulated clock instead of sleeping. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final Path dir;
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirectory(Path dir, FileChannel channel, FileLock lock) {
    this.dir = dir;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Creates {@code dir} if missing and locks it, waiting up to {@code wait} for another run.
   *
   * @param holder what this run is, recorded for the next one to read (e.g. {@code controller sync --local})
   * @param notes where the one "waiting for ..." line goes
   * @throws LocalStoreException when the path is not a directory, cannot be written, or the wait times out
   */
  public static DataDirectory lock(Path dir, String holder, Duration wait, Consumer<String> notes) {
    return lock(dir, holder, wait, notes, Clock.systemUTC(), d -> Thread.sleep(d.toMillis()));
  }

  static DataDirectory lock(Path dir, String holder, Duration wait, Consumer<String> notes, Clock clock,
      Sleeper sleeper) {
    Path d = createDirectory(dir);
    FileChannel channel;
    try {
      channel = FileChannel.open(d.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new LocalStoreException("cannot write the local data directory " + show(d) + ": " + reason(e));
    }
    try {
      Instant deadline = clock.instant().plus(wait);
      String waitingFor = null;
      while (true) {
        FileLock lock = tryLock(channel);
        if (lock != null) {
          record(channel, ProcessHandle.current().pid() + " " + holder + "\n");
          return new DataDirectory(d, channel, lock);
        }
        if (waitingFor == null) {
          waitingFor = describeHolder(channel);
          notes.accept("waiting for " + waitingFor + " to release " + show(d));
        }
        if (!clock.instant().isBefore(deadline)) {
          throw new LocalStoreException("gave up after " + human(wait) + " waiting for " + waitingFor + " to release "
              + show(d) + ": stop it, or pass another --data-dir");
        }
        sleeper.sleep(POLL);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close(channel);
      throw new LocalStoreException("interrupted while waiting for the local data directory " + show(d));
    } catch (IOException e) {
      close(channel);
      throw new LocalStoreException("cannot lock the local data directory " + show(d) + ": " + reason(e));
    } catch (RuntimeException e) {
      close(channel);
      throw e;
    }
  }

  /** Checks the path is a directory (or creates it) without touching anything else. */
  static Path createDirectory(Path dir) {
    Path d = dir.toAbsolutePath().normalize();
    if (Files.exists(d) && !Files.isDirectory(d)) {
      throw new LocalStoreException("--data-dir " + show(d) + " is a file, not a directory: pass a directory "
          + "(it is created if missing)");
    }
    for (Path parent = d.getParent(); parent != null; parent = parent.getParent()) {
      if (Files.exists(parent) && !Files.isDirectory(parent)) {
        throw new LocalStoreException("cannot create --data-dir " + show(d) + ": " + show(parent)
            + " is a file, not a directory");
      }
    }
    try {
      return Files.createDirectories(d);
    } catch (IOException e) {
      throw new LocalStoreException("cannot create --data-dir " + show(d) + ": " + reason(e));
    }
  }

  /** Null when another process (or another run in this one) holds the lock. */
  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      return null;
    }
  }

  private static void record(FileChannel channel, String text) throws IOException {
    channel.truncate(0);
    channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
    channel.force(false);
  }

  /**
   * "pid 1234 (controller sync --local)", from the holder's record. Locks are advisory on Linux and
   * macOS, so the record reads fine; where a lock blocks reads (Windows) the generic words are used.
   */
  private static String describeHolder(FileChannel channel) {
    try {
      ByteBuffer buf = ByteBuffer.allocate(4096);
      channel.read(buf, 0);
      String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
      int space = text.indexOf(' ');
      if (space > 0 && text.substring(0, space).chars().allMatch(Character::isDigit)) {
        return "pid " + text.substring(0, space) + " (" + text.substring(space + 1) + ")";
      }
    } catch (IOException e) {
      // The holder may be rewriting its record; the line below is still true.
    }
    return "another ecr-mirror run";
  }

  /** The path as a user would type it: {@code ~} for the home directory. */
  static String show(Path p) {
    String home = System.getProperty("user.home");
    if (home != null && !home.isEmpty()) {
      Path h = Path.of(home).toAbsolutePath().normalize();
      if (p.startsWith(h) && !p.equals(h)) {
        return "~/" + h.relativize(p).toString().replace('\\', '/');
      }
    }
    return p.toString();
  }

  private static String human(Duration d) {
    if (d.toSeconds() % 60 == 0 && d.toMinutes() > 0) {
      return d.toMinutes() + (d.toMinutes() == 1 ? " minute" : " minutes");
    }
    return d.toSeconds() + (d.toSeconds() == 1 ? " second" : " seconds");
  }

  private static String reason(IOException e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  private static void close(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Closing releases any lock; nothing more to do.
    }
  }

  /** The locked directory. */
  public Path path() {
    return dir;
  }

  /** Releases the lock; the lock file stays (deleting it would race with a waiting run). */
  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException ignored) {
      // Closing the channel below releases it too.
    }
    close(channel);
  }
}
