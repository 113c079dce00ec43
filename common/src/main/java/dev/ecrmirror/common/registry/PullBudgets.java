package dev.ecrmirror.common.registry;

import dev.ecrmirror.common.LazyLogger;
import dev.ecrmirror.common.retry.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each registry's pull budget as its {@code ratelimit-remaining} header reports it (Docker Hub:
 * {@code 76;w=21600}, pulls left in a window of seconds), shared by every request of one client:
 * manifest GETs (the requests Docker Hub counts as pulls) are paced while few are left and refused
 * without a request once the reserve is reached or the registry answered 429 past the retry budget.
 *
 * @see <a href="https://docs.docker.com/docker-hub/usage/pulls/">Docker Hub pull usage and limits</a>
 */
final class PullBudgets {
  private static final LazyLogger LOG = LazyLogger.of(PullBudgets.class);
  /** Within this many pulls of the reserve, pulls are spaced out rather than spent as fast as they come. */
  static final int SLOW_ZONE = 10;
  /** The spacing of pulls in the slow zone: enough to let other users of the budget in, not to stall a run. */
  static final Duration PACE = Duration.ofMillis(200);
  /** How long a spent budget stays spent when the registry named neither a retry time nor a window. */
  private static final Duration DEFAULT_WINDOW = Duration.ofHours(6);

  private final int reserve;
  private final Clock clock;
  private final RetryPolicy.Sleeper sleeper;
  private final Map<String, Budget> budgets = new ConcurrentHashMap<>();

  PullBudgets(int reserve, Clock clock, RetryPolicy.Sleeper sleeper) {
    this.reserve = reserve;
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /** One registry's budget; guarded by its own lock. */
  private static final class Budget {
    /** Pulls left as last reported, less those sent since; -1 while the registry has not said. */
    long remaining = -1;
    /** The lowest count a header reported; -1 while none did. */
    long lowestReported = -1;
    Duration window = DEFAULT_WINDOW;
    Optional<Instant> spentUntil = Optional.empty();
    Optional<Instant> retryAt = Optional.empty();
    String why = "";
    Instant nextSlot = Instant.MIN;
  }

  /**
   * Before a counted request to {@code registry}: throws {@link RateLimitedException} when its budget
   * is spent, else counts the pull and, in the slow zone, waits for its turn.
   */
  void beforePull(String registry) throws InterruptedException {
    Budget b = budgets.computeIfAbsent(registry, r -> new Budget());
    Duration wait;
    synchronized (b) {
      Instant now = clock.instant();
      if (b.spentUntil.isPresent() && now.isAfter(b.spentUntil.get())) {
        // The window has passed: the registry's next answer says what is left.
        b.spentUntil = Optional.empty();
        b.retryAt = Optional.empty();
        b.remaining = -1;
      }
      if (b.spentUntil.isEmpty() && b.remaining >= 0 && b.remaining <= reserve) {
        b.spentUntil = Optional.of(b.retryAt.orElse(now.plus(b.window)));
        b.why = b.remaining + " pulls left, the reserve kept for others is " + reserve;
        LOG.get().warn("{}: {} pull(s) left in its rate-limit window, the reserve: its images wait for the next run",
            registry, b.remaining);
      }
      if (b.spentUntil.isPresent()) {
        throw new RateLimitedException(registry, b.why, b.retryAt);
      }
      if (b.remaining < 0) {
        return;
      }
      b.remaining--;
      if (b.remaining >= reserve + SLOW_ZONE) {
        return;
      }
      Instant slot = b.nextSlot.isAfter(now) ? b.nextSlot : now;
      b.nextSlot = slot.plus(PACE);
      wait = Duration.between(now, slot);
    }
    if (!wait.isZero()) {
      sleeper.sleep(wait);
    }
  }

  /** Notes a response's {@code ratelimit-remaining} header ({@code 76;w=21600}), on HEADs and GETs alike. */
  void observe(String registry, String header) {
    String[] parts = header.split(";");
    long left;
    try {
      left = Long.parseLong(parts[0].trim());
    } catch (NumberFormatException e) {
      LOG.get().debug("{}: unreadable rate limit header {}", registry, header);
      return;
    }
    Budget b = budgets.computeIfAbsent(registry, r -> new Budget());
    synchronized (b) {
      // The lower of what it said and what we counted since: answers to requests in flight arrive late.
      b.remaining = b.remaining < 0 ? left : Math.min(b.remaining, left);
      b.lowestReported = b.lowestReported < 0 ? left : Math.min(b.lowestReported, left);
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].trim();
        if (p.startsWith("w=")) {
          try {
            b.window = Duration.ofSeconds(Long.parseLong(p.substring(2).trim()));
          } catch (NumberFormatException e) {
            // Keep the default window.
          }
        }
      }
    }
    LOG.get().debug("{}: {} pulls left in the rate-limit window", registry, left);
  }

  /** Per registry that sent a {@code ratelimit-remaining} header, the lowest count it reported to this client. */
  Map<String, Long> lowestReported() {
    Map<String, Long> out = new TreeMap<>();
    budgets.forEach((registry, b) -> {
      synchronized (b) {
        if (b.lowestReported >= 0) {
          out.put(registry, b.lowestReported);
        }
      }
    });
    return out;
  }

  /** The registry answered 429 past the retry budget: no more pulls until it said, or for its window. */
  RateLimitedException spent(String registry, String detail, Optional<Instant> retryAt) {
    Budget b = budgets.computeIfAbsent(registry, r -> new Budget());
    synchronized (b) {
      b.retryAt = retryAt;
      b.why = detail;
      b.spentUntil = Optional.of(retryAt.orElse(clock.instant().plus(b.window)));
    }
    return new RateLimitedException(registry, detail, retryAt);
  }
}
