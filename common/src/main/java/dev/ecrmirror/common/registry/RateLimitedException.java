package dev.ecrmirror.common.registry;

import java.time.Instant;
import java.util.Optional;

/**
 * A registry's pull budget is spent (Docker Hub's {@code ratelimit-remaining} reached the reserve,
 * or it answered 429 {@code TOOMANYREQUESTS} past the retry budget): work on that registry waits
 * for a later run instead of failing.
 */
public final class RateLimitedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String registry;
  private final transient Optional<Instant> retryAt;

  public RateLimitedException(String registry, String detail, Optional<Instant> retryAt) {
    super("pull rate limit of " + registry + " reached: " + detail
        + retryAt.map(t -> "; try again after " + t).orElse(""));
    this.registry = registry;
    this.retryAt = retryAt;
  }

  /** The registry host whose budget is spent. */
  public String registry() {
    return registry;
  }

  /** When the registry said its budget refills, if it said. */
  public Optional<Instant> retryAt() {
    return retryAt;
  }
}
