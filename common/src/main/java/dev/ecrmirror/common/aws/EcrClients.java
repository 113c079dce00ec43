package dev.ecrmirror.common.aws;

import dev.ecrmirror.common.retry.RetryPolicy;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * Builds ECR API clients on demand and keeps them: one per region with the default AWS credential
 * chain, and one per region and account that has a role to assume ({@link AssumeRoles}); the light
 * URL-connection HTTP client (fast start-up), the project's one retry policy, and an optional
 * endpoint override ({@value #ENDPOINT_ENV}, for VPC endpoints or a local stub).
 */
public final class EcrClients implements EcrClientSource {
  /** Environment variable naming an ECR API endpoint to use instead of the public one. */
  public static final String ENDPOINT_ENV = "ECR_MIRROR_ECR_ENDPOINT";

  private record Key(String account, Region region) {}

  private final Map<Key, EcrClient> clients = new ConcurrentHashMap<>();
  private final URI endpoint;
  private final AssumeRoles roles;

  private EcrClients(URI endpoint, AssumeRoles roles) {
    this.endpoint = endpoint;
    this.roles = roles;
  }

  /** Clients for the public endpoints, or the one {@value #ENDPOINT_ENV} names. */
  public static EcrClients fromEnvironment(Map<String, String> env) {
    return fromEnvironment(env, AssumeRoles.none());
  }

  /** As {@link #fromEnvironment(Map)}, assuming {@code roles} for their accounts. */
  public static EcrClients fromEnvironment(Map<String, String> env, AssumeRoles roles) {
    String value = env.get(ENDPOINT_ENV);
    return new EcrClients(value == null || value.isBlank() ? null : URI.create(value.trim()), roles);
  }

  @Override
  public EcrClient client(String account, Region region) {
    Optional<AwsCredentialsProvider> assumed = roles.credentialsFor(account);
    Key key = new Key(assumed.isPresent() ? account : "", region);
    return clients.computeIfAbsent(key, k -> {
      var builder = EcrClient.builder().region(k.region()).httpClientBuilder(UrlConnectionHttpClient.builder())
          .overrideConfiguration(c -> c.retryStrategy(RetryPolicy.defaults().awsStrategy()));
      assumed.ifPresent(builder::credentialsProvider);
      if (endpoint != null) {
        builder.endpointOverride(endpoint);
      }
      return builder.build();
    });
  }
}
