package dev.ecrmirror.common.retry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;

/**
 * The one retry policy of registry requests, AWS calls and the controller's own loops: exponential
 * backoff with full jitter, a number of retries for transient failures ({@code --retry-times}), and
 * a budget in time, not in tries, for throttling (429, {@code ThrottlingException}), during which a
 * {@code Retry-After} (delta-seconds or HTTP-date) is the wait.
 *
 * @see <a href="https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/">full jitter</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc9110#name-retry-after">RFC 9110, Retry-After</a>
 */
public final class RetryPolicy {
  /** The first retry waits up to this long; each next one up to twice as long. */
  public static final Duration BASE = Duration.ofMillis(250);
  /** No single backoff waits longer than this. */
  public static final Duration CAP = Duration.ofSeconds(20);
  /** How long throttling is waited out, in total, before a call gives up. */
  public static final Duration THROTTLE_BUDGET = Duration.ofSeconds(60);
  /** Retries of a transient failure (a reset, a 5xx), as {@code --retry-times} defaults. */
  public static final int RETRIES = 3;

  /** Waits; tests move a simulated clock instead of sleeping. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration delay) throws InterruptedException;

    /** The real thing. */
    static Sleeper system() {
      return Thread::sleep;
    }
  }

  private final int retries;
  private final Duration base;
  private final Duration cap;
  private final Duration throttleBudget;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Random random;

  private RetryPolicy(int retries, Duration base, Duration cap, Duration throttleBudget, Clock clock, Sleeper sleeper,
      Random random) {
    if (retries < 0) {
      throw new IllegalArgumentException("retry times must be 0 or more, not " + retries);
    }
    if (base.isNegative() || cap.isNegative() || throttleBudget.isNegative()) {
      throw new IllegalArgumentException("retry delays and budgets must not be negative");
    }
    this.retries = retries;
    this.base = base;
    this.cap = cap;
    this.throttleBudget = throttleBudget;
    this.clock = clock;
    this.sleeper = sleeper;
    this.random = random;
  }

  /** 3 retries, 250 ms base, 20 s cap, 60 s of throttling, the system clock and real sleeps. */
  public static RetryPolicy defaults() {
    // null: ThreadLocalRandom per call (a shared Random would be a point of contention).
    return new RetryPolicy(RETRIES, BASE, CAP, THROTTLE_BUDGET, Clock.systemUTC(), Sleeper.system(), null);
  }

  public RetryPolicy withRetries(int times) {
    return new RetryPolicy(times, base, cap, throttleBudget, clock, sleeper, random);
  }

  public RetryPolicy withBase(Duration first) {
    return new RetryPolicy(retries, first, cap, throttleBudget, clock, sleeper, random);
  }

  public RetryPolicy withCap(Duration longest) {
    return new RetryPolicy(retries, base, longest, throttleBudget, clock, sleeper, random);
  }

  public RetryPolicy withThrottleBudget(Duration budget) {
    return new RetryPolicy(retries, base, cap, budget, clock, sleeper, random);
  }

  /** A simulated clock and sleeper (and a seeded random), for tests. */
  public RetryPolicy withTime(Clock time, Sleeper waits, Random jitter) {
    return new RetryPolicy(retries, base, cap, throttleBudget, time, waits, jitter);
  }

  public int retries() {
    return retries;
  }

  public Duration base() {
    return base;
  }

  public Duration throttleBudget() {
    return throttleBudget;
  }

  public Clock clock() {
    return clock;
  }

  public Sleeper sleeper() {
    return sleeper;
  }

  /** The wait before retry number {@code retry} (1 for the first): uniform in [0, min(cap, base × 2^(retry-1))]. */
  public Duration backoff(int retry) {
    long ceiling = Math.min(cap.toMillis(), base.toMillis() << Math.min(Math.max(retry - 1, 0), 30));
    long millis = random == null ? ThreadLocalRandom.current().nextLong(ceiling + 1) : random.nextLong(ceiling + 1);
    return Duration.ofMillis(millis);
  }

  /**
   * A {@code Retry-After} value as a wait from now: delta-seconds ({@code 7}) or an HTTP-date
   * ({@code Wed, 21 Oct 2015 07:28:00 GMT}; a date in the past is no wait); empty when unparsable.
   */
  public Optional<Duration> retryAfter(String value) {
    String v = value.trim();
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v))));
    } catch (NumberFormatException e) {
      // Not delta-seconds: an HTTP-date, perhaps.
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration wait = Duration.between(clock.instant(), at);
      return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** The retries of one call: start one per call, ask it after each failure whether to go on. */
  public Attempts start() {
    return new Attempts(clock.instant());
  }

  /**
   * The AWS SDK's standard retry strategy (its retryable errors and throttling detection) with
   * this policy's tries and backoff, for every SDK client this project builds.
   */
  public RetryStrategy awsStrategy() {
    BackoffStrategy backoff = this::backoff;
    return AwsRetryStrategy.standardRetryStrategy().toBuilder()
        .maxAttempts(retries + 1)
        .backoffStrategy(backoff)
        .throttlingBackoffStrategy(backoff)
        .build();
  }

  /** One call's retries so far. Not thread-safe: one per call. */
  public final class Attempts {
    private final Instant started;
    private int transientRetries;
    private int throttledRetries;
    private Optional<Instant> retryAt = Optional.empty();
    private Duration lastWait = Duration.ZERO;

    private Attempts(Instant started) {
      this.started = started;
    }

    /**
     * After a transient failure: waits the next backoff and returns true, or returns false when
     * the retries are used up.
     */
    public boolean retryTransient() throws InterruptedException {
      if (transientRetries >= retries) {
        return false;
      }
      transientRetries++;
      lastWait = backoff(transientRetries);
      sleeper.sleep(lastWait);
      return true;
    }

    /**
     * After throttling: waits {@code retryAfter} when the server named one, else the next backoff,
     * and returns true; returns false without waiting when the throttle budget is spent, or when
     * the server asks for a wait longer than what is left of it ({@link #retryAt()} says when
     * the server said to come back).
     */
    public boolean retryThrottled(Optional<Duration> retryAfter) throws InterruptedException {
      Instant now = clock.instant();
      retryAt = retryAfter.map(now::plus);
      Duration left = throttleBudget.minus(Duration.between(started, now));
      if (left.isNegative() || left.isZero()) {
        return false;
      }
      Duration wait;
      if (retryAfter.isPresent()) {
        if (retryAfter.get().compareTo(left) > 0) {
          return false;
        }
        // A floor, so a server answering "Retry-After: 0" forever does not make a busy loop.
        wait = retryAfter.get().compareTo(base) < 0 ? base : retryAfter.get();
      } else {
        wait = backoff(++throttledRetries);
      }
      lastWait = wait.compareTo(left) > 0 ? left : wait;
      sleeper.sleep(lastWait);
      return true;
    }

    /** How long the last retry waited. */
    public Duration lastWait() {
      return lastWait;
    }

    /** When the server last said to come back, if it did. */
    public Optional<Instant> retryAt() {
      return retryAt;
    }
  }
}
