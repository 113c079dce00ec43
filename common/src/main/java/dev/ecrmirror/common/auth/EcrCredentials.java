package dev.ecrmirror.common.auth;

import dev.ecrmirror.common.aws.AwsErrors;
import dev.ecrmirror.common.aws.EcrClients;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
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
 * credential chain. The region comes from the registry host name; tokens are cached per region
 * until shortly before they expire (they last 12 hours).
 *
 * @see <a href="https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html">ECR registry authentication</a>
 */
public final class EcrCredentials implements CredentialProvider {
  private static final Pattern ECR_HOST =
      Pattern.compile("(\\d{12})\\.dkr\\.ecr(?:-fips)?\\.([a-z0-9-]+)\\.(?:amazonaws\\.com(?:\\.cn)?|sc2s\\.sgov\\.gov|c2s\\.ic\\.gov)");
  private static final Duration REFRESH_BEFORE_EXPIRY = Duration.ofMinutes(15);

  private final Function<Region, EcrClient> clients;
  private final Clock clock;
  private final Map<Region, CachedToken> tokens = new ConcurrentHashMap<>();

  private record CachedToken(Credential credential, Instant refreshAt) {}

  /**
   * Asks {@code clients} for a region's ECR client at each token fetch: {@link EcrClients} keeps
   * one per region; tests point it at a stub.
   */
  public EcrCredentials(Function<Region, EcrClient> clients, Clock clock) {
    this.clients = clients;
    this.clock = clock;
  }

  /** The region of an ECR registry host, e.g. {@code eu-west-1} for {@code 1234….dkr.ecr.eu-west-1.amazonaws.com}. */
  public static Optional<Region> regionOf(String registry) {
    Matcher m = ecrHost(registry);
    return m.matches() ? Optional.of(Region.of(m.group(2))) : Optional.empty();
  }

  /** True when the registry host is an ECR private registry (without touching the AWS SDK). */
  public static boolean isEcr(String registry) {
    return ecrHost(registry).matches();
  }

  private static Matcher ecrHost(String registry) {
    return ECR_HOST.matcher(registry.toLowerCase(java.util.Locale.ROOT));
  }

  @Override
  public Optional<Credential> credentialFor(String registry) {
    return regionOf(registry).map(this::token);
  }

  private Credential token(Region region) {
    CachedToken cached = tokens.get(region);
    if (cached != null && clock.instant().isBefore(cached.refreshAt())) {
      return cached.credential();
    }
    synchronized (this) {
      cached = tokens.get(region);
      if (cached != null && clock.instant().isBefore(cached.refreshAt())) {
        return cached.credential();
      }
      CachedToken fresh = fetch(region);
      tokens.put(region, fresh);
      return fresh.credential();
    }
  }

  private CachedToken fetch(Region region) {
    AuthorizationData data;
    try {
      EcrClient client = clients.apply(region);
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
    Instant expires = data.expiresAt() != null ? data.expiresAt() : clock.instant().plus(Duration.ofHours(12));
    return new CachedToken(credential, expires.minus(REFRESH_BEFORE_EXPIRY));
  }
}
