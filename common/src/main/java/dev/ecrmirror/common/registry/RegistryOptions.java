package dev.ecrmirror.common.registry;

import dev.ecrmirror.common.auth.CredentialProvider;
import dev.ecrmirror.common.retry.RetryPolicy;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How to talk to registries: which may be reached over plain HTTP, where logins come from, how
 * hard to retry, and how many pulls of a rate-limited registry to leave unspent.
 *
 * @param insecureRegistries {@code host[:port]} names reached over plain HTTP (loopback always is)
 * @param credentials where logins come from
 * @param retry retries of failed requests (408, 5xx, resets: a number of tries; 429: a time budget)
 * @param pullReserve manifest pulls left unspent on a registry that reports {@code ratelimit-remaining}
 *     (Docker Hub): once it reports this many or fewer, its manifests are not fetched again
 * @param userAgent the {@code User-Agent} sent
 * @param tls per-registry CA and client certificates ({@code certs.d}), over the JVM's defaults
 */
public record RegistryOptions(Set<String> insecureRegistries, CredentialProvider credentials, RetryPolicy retry,
    int pullReserve, String userAgent, RegistryTls tls) {
  /** Pulls left unspent by default: a few, so a user can still pull by hand. */
  public static final int DEFAULT_PULL_RESERVE = 2;

  public RegistryOptions {
    insecureRegistries = insecureRegistries.stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    if (pullReserve < 0) {
      throw new IllegalArgumentException("pull reserve must be 0 or more, not " + pullReserve);
    }
  }

  /** Anonymous access, the default retry policy, no insecure registries, the JVM's TLS for every host. */
  public static RegistryOptions defaults() {
    return new RegistryOptions(Set.of(), CredentialProvider.anonymous(), RetryPolicy.defaults(), DEFAULT_PULL_RESERVE,
        "ecr-mirror/0.1.0", RegistryTls.jvmDefaults());
  }

  /** How many times a failed request is tried again (408, 5xx, resets). */
  public int retryTimes() {
    return retry.retries();
  }

  public RegistryOptions withInsecureRegistries(Set<String> hosts) {
    return new RegistryOptions(hosts, credentials, retry, pullReserve, userAgent, tls);
  }

  public RegistryOptions withCredentials(CredentialProvider provider) {
    return new RegistryOptions(insecureRegistries, provider, retry, pullReserve, userAgent, tls);
  }

  public RegistryOptions withRetryTimes(int times) {
    return withRetry(retry.withRetries(times));
  }

  public RegistryOptions withInitialBackoff(Duration backoff) {
    return withRetry(retry.withBase(backoff));
  }

  public RegistryOptions withRetry(RetryPolicy policy) {
    return new RegistryOptions(insecureRegistries, credentials, policy, pullReserve, userAgent, tls);
  }

  public RegistryOptions withPullReserve(int pulls) {
    return new RegistryOptions(insecureRegistries, credentials, retry, pulls, userAgent, tls);
  }

  public RegistryOptions withTls(RegistryTls settings) {
    return new RegistryOptions(insecureRegistries, credentials, retry, pullReserve, userAgent, settings);
  }
}
