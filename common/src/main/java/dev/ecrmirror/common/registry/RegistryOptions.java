package dev.ecrmirror.common.registry;

import dev.ecrmirror.common.auth.CredentialProvider;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How to talk to registries: which may be reached over plain HTTP, where logins come from, and
 * how hard to retry.
 *
 * @param insecureRegistries {@code host[:port]} names reached over plain HTTP (loopback always is)
 * @param credentials where logins come from
 * @param retryTimes how many times a failed request is tried again (408, 429, 5xx, resets)
 * @param initialBackoff the first retry's delay; each next one doubles, with jitter
 * @param userAgent the {@code User-Agent} sent
 * @param tls per-registry CA and client certificates ({@code certs.d}), over the JVM's defaults
 */
public record RegistryOptions(Set<String> insecureRegistries, CredentialProvider credentials, int retryTimes,
    Duration initialBackoff, String userAgent, RegistryTls tls) {

  public RegistryOptions {
    insecureRegistries = insecureRegistries.stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    if (retryTimes < 0) {
      throw new IllegalArgumentException("retry times must be 0 or more, not " + retryTimes);
    }
  }

  /** Anonymous access, 3 retries, no insecure registries, the JVM's TLS for every host. */
  public static RegistryOptions defaults() {
    return new RegistryOptions(Set.of(), CredentialProvider.anonymous(), 3, Duration.ofMillis(250), "ecr-mirror/0.1.0",
        RegistryTls.jvmDefaults());
  }

  public RegistryOptions withInsecureRegistries(Set<String> hosts) {
    return new RegistryOptions(hosts, credentials, retryTimes, initialBackoff, userAgent, tls);
  }

  public RegistryOptions withCredentials(CredentialProvider provider) {
    return new RegistryOptions(insecureRegistries, provider, retryTimes, initialBackoff, userAgent, tls);
  }

  public RegistryOptions withRetryTimes(int times) {
    return new RegistryOptions(insecureRegistries, credentials, times, initialBackoff, userAgent, tls);
  }

  public RegistryOptions withInitialBackoff(Duration backoff) {
    return new RegistryOptions(insecureRegistries, credentials, retryTimes, backoff, userAgent, tls);
  }

  public RegistryOptions withTls(RegistryTls settings) {
    return new RegistryOptions(insecureRegistries, credentials, retryTimes, initialBackoff, userAgent, settings);
  }
}
