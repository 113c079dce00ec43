package dev.ecrmirror.controller.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data directory's lock: who holds it is recorded, a waiter names the holder and gives up on time. */
class DataDirectoryTest {
  @TempDir
  Path dir;

  /** A clock that moves only when the waiting code "sleeps". */
  static final class SimulatedClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Test
  void theHolderIsRecordedForTheNextRun() throws Exception {
    try (DataDirectory d = DataDirectory.lock(dir, "controller sync --local", Duration.ZERO, n -> { })) {
      assertThat(Files.readString(d.path().resolve(DataDirectory.LOCK_FILE)))
          .isEqualTo(ProcessHandle.current().pid() + " controller sync --local\n");
    }
    // Released: the next run locks at once, with no note.
    List<String> notes = new ArrayList<>();
    try (DataDirectory d = DataDirectory.lock(dir, "controller table list", Duration.ZERO, notes::add)) {
      assertThat(notes).isEmpty();
      assertThat(Files.readString(d.path().resolve(DataDirectory.LOCK_FILE))).endsWith(" controller table list\n");
    }
  }

  @Test
  void aWaiterGivesUpAfterTenMinutesByDefaultWithOneNote() {
    SimulatedClock clock = new SimulatedClock();
    Instant start = clock.now;
    List<String> notes = new ArrayList<>();
    try (DataDirectory held = DataDirectory.lock(dir, "controller sync --local", Duration.ZERO, n -> { })) {
      assertThatThrownBy(() -> DataDirectory.lock(dir, "controller table list", DataDirectory.DEFAULT_WAIT, notes::add,
          clock, d -> clock.now = clock.now.plus(d)))
          .isInstanceOf(LocalStoreException.class)
          .hasMessage("gave up after 10 minutes waiting for pid " + ProcessHandle.current().pid()
              + " (controller sync --local) to release " + dir + ": stop it, or pass another --data-dir");
    }
    assertThat(notes).containsExactly("waiting for pid " + ProcessHandle.current().pid()
        + " (controller sync --local) to release " + dir);
    assertThat(Duration.between(start, clock.now)).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void aWaiterTakesTheLockAsSoonAsItIsReleased() {
    SimulatedClock clock = new SimulatedClock();
    List<String> notes = new ArrayList<>();
    DataDirectory held = DataDirectory.lock(dir, "controller sync --local", Duration.ZERO, n -> { });
    int[] polls = {0};
    try (DataDirectory mine = DataDirectory.lock(dir, "controller table list", DataDirectory.DEFAULT_WAIT, notes::add,
        clock, d -> {
          clock.now = clock.now.plus(d);
          if (++polls[0] == 3) {
            held.close();
          }
        })) {
      assertThat(notes).hasSize(1);
      assertThat(polls[0]).isEqualTo(3);
    }
  }

  @Test
  void pathsUnderHomeAreShownWithATilde() {
    Path home = Path.of(System.getProperty("user.home")).toAbsolutePath().normalize();
    assertThat(DataDirectory.show(home.resolve(".ecr-mirror/local"))).isEqualTo("~/.ecr-mirror/local");
    assertThat(DataDirectory.show(Path.of("/var/tmp/x"))).isEqualTo("/var/tmp/x");
  }
}
