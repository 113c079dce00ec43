package dev.ecrmirror.common.aws;

import dev.ecrmirror.common.retry.RetryPolicy;
import java.net.URI;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * The role to assume for each ECR registry account ({@code --assume-role ACCOUNT=ROLE_ARN}): one mirror
 * account pushing into (or pulling from) registries of other accounts. Each account's credentials
 * come from one {@link StsAssumeRoleCredentialsProvider}, built on first use and kept for the run: it
 * caches the session and refreshes it before it expires, so a role is assumed once per session, not
 * once per call.
 */
public final class AssumeRoles {
  /** Default roles, {@code ACCOUNT=ROLE_ARN} comma-separated (the CDK context {@code assumeRoles} lands here). */
  public static final String ENV = "ECR_MIRROR_ASSUME_ROLES";
  /** An STS endpoint to use instead of the regional one (a VPC endpoint, or a local emulator). */
  public static final String STS_ENDPOINT_ENV = "ECR_MIRROR_STS_ENDPOINT";

  private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
  private static final Pattern ROLE_ARN = Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}");

  private final Map<String, String> roles;
  private final Supplier<StsClient> sts;
  private final Map<String, StsAssumeRoleCredentialsProvider> providers = new ConcurrentHashMap<>();
  private volatile StsClient stsClient;

  private AssumeRoles(Map<String, String> roles, Supplier<StsClient> sts) {
    this.roles = Collections.unmodifiableMap(new LinkedHashMap<>(roles));
    this.sts = sts;
  }

  /** No roles: every account with the process's own credentials. */
  public static AssumeRoles none() {
    return new AssumeRoles(Map.of(), AssumeRoles::defaultSts);
  }

  /**
   * Parses {@code ACCOUNT=ROLE_ARN} values (each may be comma-separated). Throws
   * {@link IllegalArgumentException} with one line naming {@code origin} and the bad value.
   */
  public static AssumeRoles parse(String origin, Collection<String> values) {
    Map<String, String> roles = new LinkedHashMap<>();
    for (String value : values) {
      for (String item : value.split(",")) {
        String entry = item.trim();
        if (entry.isEmpty()) {
          continue;
        }
        int eq = entry.indexOf('=');
        String account = eq < 0 ? "" : entry.substring(0, eq).trim();
        String arn = eq < 0 ? "" : entry.substring(eq + 1).trim();
        if (!ACCOUNT.matcher(account).matches() || !ROLE_ARN.matcher(arn).matches()) {
          throw new IllegalArgumentException(origin + " '" + entry + "' must be ACCOUNT=ROLE_ARN, e.g. "
              + "210987654321=arn:aws:iam::210987654321:role/ecr-mirror-push");
        }
        String before = roles.put(account, arn);
        if (before != null && !before.equals(arn)) {
          throw new IllegalArgumentException(origin + " names two roles for account " + account + ": " + before
              + " and " + arn + ": keep one");
        }
      }
    }
    return new AssumeRoles(roles, AssumeRoles::defaultSts);
  }

  /** The same roles, assumed through {@code sts} (tests point it at an emulator). */
  public AssumeRoles withSts(Supplier<StsClient> sts) {
    return new AssumeRoles(roles, sts);
  }

  /** Account to role ARN, in the order given. */
  public Map<String, String> roles() {
    return roles;
  }

  public boolean isEmpty() {
    return roles.isEmpty();
  }

  /** The credentials to use for {@code account}: its role's, or empty for the process's own. */
  public Optional<AwsCredentialsProvider> credentialsFor(String account) {
    String arn = roles.get(account);
    if (arn == null) {
      return Optional.empty();
    }
    return Optional.of(providers.computeIfAbsent(account, a -> StsAssumeRoleCredentialsProvider.builder()
        .stsClient(sts())
        .refreshRequest(r -> r.roleArn(arn).roleSessionName("ecr-mirror-" + a))
        .build()));
  }

  private StsClient sts() {
    StsClient s = stsClient;
    if (s == null) {
      synchronized (this) {
        s = stsClient;
        if (s == null) {
          s = sts.get();
          stsClient = s;
        }
      }
    }
    return s;
  }

  /** STS in the process's region (us-east-1 when none is set), or at {@value #STS_ENDPOINT_ENV}. */
  private static StsClient defaultSts() {
    Region region;
    try {
      region = new DefaultAwsRegionProviderChain().getRegion();
    } catch (RuntimeException e) {
      region = Region.US_EAST_1;
    }
    var builder = StsClient.builder().region(region).httpClientBuilder(UrlConnectionHttpClient.builder())
        .overrideConfiguration(c -> c.retryStrategy(RetryPolicy.defaults().awsStrategy()));
    String endpoint = System.getenv(STS_ENDPOINT_ENV);
    if (endpoint != null && !endpoint.isBlank()) {
      builder.endpointOverride(URI.create(endpoint.trim()));
    }
    return builder.build();
  }
}
