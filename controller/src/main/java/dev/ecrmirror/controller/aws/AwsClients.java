package dev.ecrmirror.controller.aws;

import dev.ecrmirror.common.aws.AssumeRoles;
import dev.ecrmirror.common.retry.RetryPolicy;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Builds every AWS client the controller uses, in one place: one HTTP client, the region, the
 * credentials, timeouts, the project's one retry policy (the SDK's standard retries with its backoff), and per-service endpoint overrides (test stubs).
 * Closing it closes every client it built.
 */
public final class AwsClients implements AutoCloseable {
  /** Endpoint overrides, for local mode and tests; empty means the service's regional endpoint. */
  public record Endpoints(Optional<URI> dynamodb, Optional<URI> batch, Optional<URI> sqs, Optional<URI> ecr,
      Optional<URI> events) {
    public Endpoints(Optional<URI> dynamodb, Optional<URI> batch, Optional<URI> sqs, Optional<URI> ecr) {
      this(dynamodb, batch, sqs, ecr, Optional.empty());
    }

    public static Endpoints none() {
      return new Endpoints(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    public Endpoints withDynamodb(URI uri) {
      return new Endpoints(Optional.of(uri), batch, sqs, ecr, events);
    }
  }

  private final Optional<Region> region;
  private final AwsCredentialsProvider credentials;
  private final boolean localDynamo;
  private final Endpoints endpoints;
  private final SdkHttpClient http;
  private final List<AutoCloseable> built = new ArrayList<>();
  private final Map<Region, EcrClient> ecr = new ConcurrentHashMap<>();
  private final Map<String, EcrClient> assumedEcr = new ConcurrentHashMap<>();
  private volatile AssumeRoles roles = AssumeRoles.none();
  private StsClient sts;
  private DynamoDbClient dynamo;
  private BatchClient batch;
  private SqsClient sqs;
  private EventBridgeClient events;

  /**
   * @param region the region of the table, queues and Batch; empty to use the SDK's chain
   *     ({@code AWS_REGION}, profile, instance metadata)
   * @param credentials where credentials come from
   */
  public AwsClients(Optional<Region> region, AwsCredentialsProvider credentials, Endpoints endpoints) {
    this(region, credentials, endpoints, null);
  }

  /**
   * For local mode: DynamoDB is the given client (the embedded DynamoDB Local, which needs no
   * account and is closed by its owner, not here); the other services are as configured.
   */
  public static AwsClients local(Optional<Region> region, AwsCredentialsProvider credentials, Endpoints endpoints,
      DynamoDbClient localDynamo) {
    return new AwsClients(region, credentials, endpoints, localDynamo);
  }

  private AwsClients(Optional<Region> region, AwsCredentialsProvider credentials, Endpoints endpoints,
      DynamoDbClient localDynamo) {
    this.localDynamo = localDynamo != null;
    this.dynamo = localDynamo;
    this.region = region;
    this.credentials = credentials;
    this.endpoints = endpoints;
    this.http = UrlConnectionHttpClient.builder()
        .connectionTimeout(Duration.ofSeconds(10))
        .socketTimeout(Duration.ofSeconds(60))
        .build();
  }

  public synchronized DynamoDbClient dynamo() {
    if (dynamo == null) {
      dynamo = track(configure(DynamoDbClient.builder(), endpoints.dynamodb(), region()).build());
    }
    return dynamo;
  }

  public synchronized BatchClient batch() {
    if (batch == null) {
      batch = track(configure(BatchClient.builder(), endpoints.batch(), region()).build());
    }
    return batch;
  }

  public synchronized SqsClient sqs() {
    if (sqs == null) {
      sqs = track(configure(SqsClient.builder(), endpoints.sqs(), region()).build());
    }
    return sqs;
  }

  /** EventBridge, where the controller puts its events. */
  public synchronized EventBridgeClient events() {
    if (events == null) {
      events = track(configure(EventBridgeClient.builder(), endpoints.events(), region()).build());
    }
    return events;
  }

  /** The ECR API client of a region (an ECR registry's region is in its host name). */
  public EcrClient ecr(Region ecrRegion) {
    return ecr.computeIfAbsent(ecrRegion, r -> {
      synchronized (this) {
        return track(configure(EcrClient.builder(), endpoints.ecr(), r).build());
      }
    });
  }

  /**
   * An S3 client for the run report: it reaches a bucket in any region (the SDK follows S3's
   * redirect), and addresses buckets by path at an endpoint override (an emulator has no bucket
   * host names).
   */
  public S3Client s3(Optional<URI> endpoint) {
    synchronized (this) {
      return track(configure(S3Client.builder(), endpoint, region())
          .crossRegionAccessEnabled(true).forcePathStyle(endpoint.isPresent()).build());
    }
  }

  /**
   * Calls ECR for the registries of the accounts {@code roles} names with their roles, assumed through
   * STS with this object's credentials ({@value AssumeRoles#STS_ENDPOINT_ENV} overrides the endpoint).
   */
  public void assume(AssumeRoles roles, Map<String, String> env) {
    Optional<URI> endpoint = Optional.ofNullable(env.get(AssumeRoles.STS_ENDPOINT_ENV)).filter(s -> !s.isBlank())
        .map(s -> URI.create(s.trim()));
    this.roles = roles.withSts(() -> {
      synchronized (this) {
        if (sts == null) {
          sts = track(configure(StsClient.builder(), endpoint, region()).build());
        }
        return sts;
      }
    });
  }

  /** The ECR API client for the registry of {@code account} in {@code ecrRegion}: with its assumed role, if any. */
  public EcrClient ecrFor(String account, Region ecrRegion) {
    Optional<AwsCredentialsProvider> assumed = roles.credentialsFor(account);
    if (assumed.isEmpty()) {
      return ecr(ecrRegion);
    }
    return assumedEcr.computeIfAbsent(account + "/" + ecrRegion, k -> {
      synchronized (this) {
        return track(configure(EcrClient.builder(), endpoints.ecr(), ecrRegion).credentialsProvider(assumed.get()).build());
      }
    });
  }

  /** The region of the table, queues and Batch. */
  public Region region() {
    if (region.isPresent()) {
      return region.get();
    }
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkClientException e) {
      if (localDynamo) {
        return Region.US_EAST_1;
      }
      throw new IllegalArgumentException("no AWS region: set AWS_REGION or pass --region");
    }
  }

  private <B extends AwsClientBuilder<B, ?>> B configure(B builder, Optional<URI> endpoint, Region r) {
    builder.region(r).credentialsProvider(credentials)
        .overrideConfiguration(c -> c.retryStrategy(RetryPolicy.defaults().awsStrategy())
            .apiCallTimeout(Duration.ofMinutes(2)));
    endpoint.ifPresent(builder::endpointOverride);
    if (builder instanceof software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<?, ?> sync) {
      sync.httpClient(http);
    }
    return builder;
  }

  private <T extends AutoCloseable> T track(T client) {
    built.add(client);
    return client;
  }

  @Override
  public synchronized void close() {
    for (AutoCloseable c : built) {
      try {
        c.close();
      } catch (Exception e) {
        // Closing is best effort.
      }
    }
    built.clear();
    http.close();
  }
}
