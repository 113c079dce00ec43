package dev.ecrmirror.common.aws;

import dev.ecrmirror.common.retry.RetryPolicy;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * Builds one ECR API client per region, on demand, and keeps it: the default AWS credential chain,
 * the light URL-connection HTTP client (fast start-up), the project's one retry policy, and an optional endpoint override
 * ({@value #ENDPOINT_ENV}, for VPC endpoints or a local stub).
 */
public final class EcrClients implements Function<Region, EcrClient> {
  /** Environment variable naming an ECR API endpoint to use instead of the public one. */
  public static final String ENDPOINT_ENV = "ECR_MIRROR_ECR_ENDPOINT";

  private final Map<Region, EcrClient> clients = new ConcurrentHashMap<>();
  private final URI endpoint;

  private EcrClients(URI endpoint) {
    this.endpoint = endpoint;
  }

  /** Clients for the public endpoints, or the one {@value #ENDPOINT_ENV} names. */
  public static EcrClients fromEnvironment(Map<String, String> env) {
    String value = env.get(ENDPOINT_ENV);
    return new EcrClients(value == null || value.isBlank() ? null : URI.create(value.trim()));
  }

  @Override
  public EcrClient apply(Region region) {
    return clients.computeIfAbsent(region, r -> {
      var builder = EcrClient.builder().region(r).httpClientBuilder(UrlConnectionHttpClient.builder())
          .overrideConfiguration(c -> c.retryStrategy(RetryPolicy.defaults().awsStrategy()));
      if (endpoint != null) {
        builder.endpointOverride(endpoint);
      }
      return builder.build();
    });
  }
}
