package dev.ecrmirror.controller;

import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.FailureKind;
import dev.ecrmirror.common.retry.RetryPolicy;
import dev.ecrmirror.controller.table.RowStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When a row whose job failed transiently is tried again: the shared {@link RetryPolicy}'s
 * exponential backoff with full jitter, on a scale of minutes to hours (a wait up to
 * {@code 5 min × 2^(attempts-1)}, at most 6 hours), and after {@code maxAttempts} failed attempts at
 * the same source digest the row fails for good. The wait is never shorter than a minute, so a row
 * is not tried again by the run right after.
 *
 * @param backoff the backoff (its base and cap are the first and largest windows)
 * @param maxAttempts failed attempts after which a transient failure counts as permanent
 */
public record AttemptPolicy(RetryPolicy backoff, int maxAttempts) {
  /** The shortest wait before a next attempt. */
  static final Duration MINIMUM = Duration.ofMinutes(1);

  /** 5 minutes, doubling to at most 6 hours, 8 attempts: about a day of trying. */
  public static AttemptPolicy defaults() {
    return new AttemptPolicy(RetryPolicy.defaults().withBase(Duration.ofMinutes(5)).withCap(Duration.ofHours(6)), 8);
  }

  /** When the next attempt is due after {@code attempts} failed ones, counted from {@code now}. */
  public Instant nextAttempt(int attempts, Instant now) {
    Duration wait = backoff.backoff(Math.max(attempts, 1));
    return now.plus(wait.compareTo(MINIMUM) < 0 ? MINIMUM : wait);
  }

  /** True when this many failed attempts end the trying. */
  public boolean exhausted(int attempts) {
    return attempts >= maxAttempts;
  }

  /**
   * What a failed attempt leaves a row (or a tag) in.
   *
   * @param status the status its kind calls for; a transient failure past the attempts is failed
   * @param count failed attempts so far
   * @param reason why, for {@code LastError}
   * @param next when a retrying one is tried again
   */
  public record Attempt(RowStatus status, int count, String reason, Optional<Instant> next) {}

  /**
   * The attempt after {@code before} failed ones that failed with {@code failure} at {@code now}. A
   * spent rate budget is not the row's fault: it waits for the next run without counting.
   */
  public Attempt failed(int before, Failure failure, Instant now) {
    int count = failure.kind() == FailureKind.RATE_LIMITED ? before : before + 1;
    RowStatus status = RowStatus.of(failure.kind());
    String reason = failure.message();
    if (status == RowStatus.RETRYING && exhausted(count)) {
      status = RowStatus.FAILED;
      reason = "gave up after " + count + " attempts: " + reason;
    }
    return new Attempt(status, count, reason,
        status == RowStatus.RETRYING ? Optional.of(nextAttempt(count, now)) : Optional.empty());
  }
}
