package dev.ecrmirror.controller;

import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * When a row whose job failed transiently is tried again: exponential backoff with full jitter (a
 * random wait up to {@code base * 2^(attempts-1)}, at most {@code cap}), and after
 * {@code maxAttempts} failed attempts at the same source digest the row fails for good. The wait is
 * never shorter than a minute, so a row is not tried again by the run right after.
 *
 * @param base the window after the first failed attempt
 * @param cap the largest window
 * @param maxAttempts failed attempts after which a transient failure counts as permanent
 * @param random the jitter's source
 */
public record AttemptPolicy(Duration base, Duration cap, int maxAttempts, RandomGenerator random) {
  /** The shortest wait before a next attempt. */
  static final Duration MINIMUM = Duration.ofMinutes(1);

  /** 5 minutes, doubling to at most 6 hours, 8 attempts: about a day of trying. */
  public static AttemptPolicy defaults() {
    return new AttemptPolicy(Duration.ofMinutes(5), Duration.ofHours(6), 8, RandomGenerator.getDefault());
  }

  /** When the next attempt is due after {@code attempts} failed ones, counted from {@code now}. */
  public Instant nextAttempt(int attempts, Instant now) {
    long window = base.toMillis() << Math.min(Math.max(attempts - 1, 0), 20);
    long capped = Math.min(window, cap.toMillis());
    return now.plusMillis(Math.max(MINIMUM.toMillis(), random.nextLong(capped + 1)));
  }

  /** True when this many failed attempts end the trying. */
  public boolean exhausted(int attempts) {
    return attempts >= maxAttempts;
  }
}
