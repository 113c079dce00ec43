package dev.ecrmirror.common.auth;

import dev.ecrmirror.common.aws.AwsErrors;
import dev.ecrmirror.common.aws.EcrClientSource;
import dev.ecrmirror.common.aws.EcrClients;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.AuthorizationData;

/**
 * Logins for Amazon ECR registries from {@code GetAuthorizationToken}, using the default AWS
 * credential chain. The region comes from the registry host name. A token is cached per registry
 * (account and region) and fetched anew once it is within a margin of its {@code expiresAt} (tokens
 * last 12 hours; the margin is a tenth of the token's life, at most 30 minutes), so a run longer
 * than a token's life keeps logging in; callers asking while a fetch is under way share it.
 *
 * @see <a href="https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html">ECR registry authentication</a>
 */
public final class EcrCredentials implements CredentialProvider {
  private static final Pattern ECR_HOST =
      Pattern.compile("(\\d{12})\\.dkr\\.ecr(?:-fips)?\\.([a-z0-9-]+)\\.(?:amazonaws\\.com(?:\\.cn)?|sc2s\\.sgov\\.gov|c2s\\.ic\\.gov)");
  /** The most a token is refreshed ahead of its expiry: time for the longest single request to finish. */
  private static final Duration MAX_REFRESH_MARGIN = Duration.ofMinutes(30);

  private final EcrClientSource clients;
  private final Clock clock;
  private final Map<Registry, CompletableFuture<CachedToken>> tokens = new ConcurrentHashMap<>();

  /** One ECR registry: an account's registry in a region, as its host names it. */
  public record Registry(String account, Region region) {}

  /** A login and when to stop handing it out; a token already expired when fetched is never handed out again. */
  private record CachedToken(Credential credential, Instant refreshAt) {}

  /**
   * Asks {@code clients} for a region's ECR client at each token fetch: {@link EcrClients} keeps
   * one per region; tests point it at a stub. {@code clock} decides when a token is due for refresh.
   */
  public EcrCredentials(Function<Region, EcrClient> clients, Clock clock) {
    this(EcrClientSource.anyAccount(clients), clock);
  }

  /**
   * As above, asking {@code clients} for the client of the registry's account and region, so an
   * account with a role to assume gets its token with that role's credentials.
   */
  public EcrCredentials(EcrClientSource clients, Clock clock) {
    this.clients = clients;
    this.clock = clock;
  }

  /** The region of an ECR registry host, e.g. {@code eu-west-1} for {@code 1234….dkr.ecr.eu-west-1.amazonaws.com}. */
  public static Optional<Region> regionOf(String registry) {
    return registryOf(registry).map(Registry::region);
  }

  /** True when the registry host is an ECR private registry (without touching the AWS SDK). */
  public static boolean isEcr(String registry) {
    return ecrHost(registry).matches();
  }

  private static Matcher ecrHost(String registry) {
    return ECR_HOST.matcher(registry.toLowerCase(java.util.Locale.ROOT));
  }

  /** The account and region of an ECR registry host; empty for any other host. */
  public static Optional<Registry> registryOf(String host) {
    Matcher m = ecrHost(host);
    return m.matches() ? Optional.of(new Registry(m.group(1), Region.of(m.group(2)))) : Optional.empty();
  }

  @Override
  public Optional<Credential> credentialFor(String registry) {
    return registryOf(registry).map(this::token);
  }

  /** The registry refused our token (revoked, or our clock is off): the next ask fetches a new one. */
  @Override
  public void rejected(String registry) {
    registryOf(registry).ifPresent(tokens::remove);
  }

  private Credential token(Registry registry) {
    while (true) {
      CompletableFuture<CachedToken> current = tokens.get(registry);
      if (current != null && !current.isDone()) {
        return await(current).credential(); // another caller is fetching: use its token
      }
      if (current != null && !current.isCompletedExceptionally()) {
        CachedToken cached = current.join();
        if (clock.instant().isBefore(cached.refreshAt())) {
          return cached.credential();
        }
      }
      CompletableFuture<CachedToken> mine = new CompletableFuture<>();
      boolean claimed = current == null ? tokens.putIfAbsent(registry, mine) == null : tokens.replace(registry, current, mine);
      if (!claimed) {
        continue; // another caller started a fetch first: wait for that one
      }
      try {
        CachedToken fresh = fetch(registry.account(), registry.region());
        mine.complete(fresh);
        return fresh.credential();
      } catch (RuntimeException e) {
        tokens.remove(registry, mine); // the next caller tries again rather than inheriting this failure
        mine.completeExceptionally(e);
        throw e;
      }
    }
  }

  private static CachedToken await(CompletableFuture<CachedToken> fetch) {
    try {
      return fetch.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  private CachedToken fetch(String account, Region region) {
    Instant fetchedAt = clock.instant();
    AuthorizationData data;
    try {
      EcrClient client = clients.client(account, region);
      data = client.getAuthorizationToken(b -> {}).authorizationData().stream().findFirst()
          .orElseThrow(() -> new IllegalStateException("ECR GetAuthorizationToken in " + region + " returned no token"));
    } catch (SdkException e) {
      if (AwsErrors.missingCredentials(e)) {
        throw new IllegalStateException(AwsErrors.noCredentials("log in to ECR in " + region), e);
      }
      throw new IllegalStateException("ECR GetAuthorizationToken in " + region + " failed: " + e.getMessage(), e);
    }
    String decoded = new String(Base64.getDecoder().decode(data.authorizationToken()), StandardCharsets.UTF_8);
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      throw new IllegalStateException("ECR GetAuthorizationToken in " + region + " returned a malformed token");
    }
    Credential credential = Credential.basic(decoded.substring(0, colon), decoded.substring(colon + 1));
    Instant expires = data.expiresAt() != null ? data.expiresAt() : fetchedAt.plus(Duration.ofHours(12));
    return new CachedToken(credential, refreshAt(fetchedAt, expires));
  }

  /**
   * When to fetch anew: a tenth of the token's life before it expires, at most 30 minutes before. A
   * token already expired when it arrives (moto's GetAuthorizationToken answers with a fixed date in
   * 2015) serves the call that fetched it, and is due again at once.
   */
  static Instant refreshAt(Instant fetchedAt, Instant expiresAt) {
    if (!expiresAt.isAfter(fetchedAt)) {
      return fetchedAt;
    }
    Duration margin = Duration.between(fetchedAt, expiresAt).dividedBy(10);
    return expiresAt.minus(margin.compareTo(MAX_REFRESH_MARGIN) > 0 ? MAX_REFRESH_MARGIN : margin);
  }
}
