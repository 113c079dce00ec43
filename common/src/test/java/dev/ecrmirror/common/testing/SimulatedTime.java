package dev.ecrmirror.common.testing;

import dev.ecrmirror.common.retry.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A clock that moves only when code under test sleeps on it: each sleep is recorded and advances it at once. */
public final class SimulatedTime extends Clock implements RetryPolicy.Sleeper {
  private volatile Instant now;
  private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

  public SimulatedTime(Instant start) {
    this.now = start;
  }

  @Override
  public synchronized void sleep(Duration delay) {
    sleeps.add(delay);
    now = now.plus(delay);
  }

  /** Moves the clock without a sleep (time passing elsewhere). */
  public synchronized void advance(Duration d) {
    now = now.plus(d);
  }

  /** Every sleep asked for, in order. */
  public List<Duration> sleeps() {
    return List.copyOf(sleeps);
  }

  /** The sum of all sleeps. */
  public Duration slept() {
    return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
