package dev.ecrmirror.common.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecrmirror.common.testing.SimulatedTime;
import dev.ecrmirror.common.testing.StubHttpServer;
import dev.ecrmirror.common.testing.StubHttpServer.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * ECR login caching and refresh from GetAuthorizationToken, against a stub of the ECR API. A stub
 * because moto 5.2.1's GetAuthorizationToken answers every call with the same password
 * ({@code ACCOUNT-auth-token}) and a fixed {@code expiresAt} of 2015-01-01, already past, and
 * records no requests: a cached token cannot be told from a fresh one, a token cannot expire 12
 * hours after the simulated clock's now, and the SigV4 region of the call cannot be seen. Decoding
 * the login moto issues is in {@code EcrCredentialsIT}.
 */
class EcrCredentialsTest {
  private static final String HOST = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
  private final AtomicInteger issued = new AtomicInteger();
  private final SimulatedTime clock = new SimulatedTime(Instant.parse("2026-06-01T00:00:00Z"));
  private StubHttpServer ecr;
  private EcrCredentials credentials;

  @BeforeEach
  void start() throws Exception {
    ecr = StubHttpServer.start(request -> {
      int n = issued.incrementAndGet();
      String token = Base64.getEncoder().encodeToString(("AWS:ecr-password-" + n).getBytes(StandardCharsets.UTF_8));
      long expires = clock.instant().plus(Duration.ofHours(12)).getEpochSecond();
      return Response.of(200, "application/x-amz-json-1.1", """
          {"authorizationData":[{"authorizationToken":"%s","expiresAt":%d,"proxyEndpoint":"https://%s"}]}"""
          .formatted(token, expires, HOST));
    });
    credentials = new EcrCredentials(region -> EcrClient.builder()
        .region(region)
        .endpointOverride(ecr.uri())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "example-secret")))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .build(), clock);
  }

  @AfterEach
  void stop() {
    ecr.close();
  }

  @Test
  void recognizesEcrHostsAndTheirRegion() {
    assertThat(EcrCredentials.regionOf(HOST)).contains(Region.EU_WEST_1);
    assertThat(EcrCredentials.regionOf("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com")).contains(Region.US_GOV_WEST_1);
    assertThat(EcrCredentials.regionOf("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn")).contains(Region.CN_NORTH_1);
    assertThat(EcrCredentials.isEcr("public.ecr.aws")).isFalse();
    assertThat(EcrCredentials.isEcr("ghcr.io")).isFalse();
  }

  @Test
  void fetchesATokenSignedForTheHostsRegionAndCachesIt() {
    Credential first = credentials.credentialFor(HOST).orElseThrow();
    Credential again = credentials.credentialFor(HOST).orElseThrow();

    assertThat(first.username()).isEqualTo("AWS");
    assertThat(first.secret()).isEqualTo("ecr-password-1");
    assertThat(again.secret()).isEqualTo("ecr-password-1");
    assertThat(ecr.requests()).hasSize(1);
    var sent = ecr.requests().get(0);
    assertThat(sent.header("X-Amz-Target")).isEqualTo("AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken");
    // SigV4 scope names the region taken from the host name.
    assertThat(sent.header("Authorization")).contains("/eu-west-1/ecr/aws4_request");
  }

  @Test
  void refreshesShortlyBeforeExpiry() {
    credentials.credentialFor(HOST);
    clock.advance(Duration.ofHours(11));
    assertThat(credentials.credentialFor(HOST).orElseThrow().secret()).isEqualTo("ecr-password-1");
    clock.advance(Duration.ofMinutes(50));
    assertThat(credentials.credentialFor(HOST).orElseThrow().secret()).isEqualTo("ecr-password-2");
  }

  @Test
  void eachAccountsRegistryHasATokenOfItsOwn() {
    credentials.credentialFor(HOST);
    credentials.credentialFor("210987654321.dkr.ecr.eu-west-1.amazonaws.com");
    credentials.credentialFor(HOST);
    assertThat(ecr.requests()).hasSize(2);
  }

  @Test
  void callersAskingAtOnceShareOneFetch() throws Exception {
    // The stub holds its answer until every caller is waiting, so all of them find the fetch under way.
    java.util.concurrent.CountDownLatch asked = new java.util.concurrent.CountDownLatch(1);
    StubHttpServer slow = StubHttpServer.start(request -> {
      asked.await();
      String token = Base64.getEncoder().encodeToString("AWS:shared".getBytes(StandardCharsets.UTF_8));
      return Response.of(200, "application/x-amz-json-1.1", """
          {"authorizationData":[{"authorizationToken":"%s","expiresAt":%d}]}"""
          .formatted(token, clock.instant().plus(Duration.ofHours(12)).getEpochSecond()));
    });
    try (slow; var threads = java.util.concurrent.Executors.newFixedThreadPool(20)) {
      EcrCredentials shared = new EcrCredentials(region -> EcrClient.builder()
          .region(region)
          .endpointOverride(slow.uri())
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "example-secret")))
          .httpClientBuilder(UrlConnectionHttpClient.builder())
          .build(), clock);
      java.util.List<java.util.concurrent.Future<String>> answers = new java.util.ArrayList<>();
      for (int i = 0; i < 20; i++) {
        answers.add(threads.submit(() -> shared.credentialFor(HOST).orElseThrow().secret()));
      }
      while (slow.requests().isEmpty()) {
        Thread.onSpinWait();
      }
      Thread.sleep(200); // let the other 19 reach the fetch under way (the outcome holds without it; it makes the test bite)
      asked.countDown();
      for (var answer : answers) {
        assertThat(answer.get()).isEqualTo("shared");
      }
      assertThat(slow.requests()).hasSize(1);
    }
  }

  @Test
  void aShortLivedTokenIsRefreshedATenthOfItsLifeEarly() {
    Instant now = Instant.parse("2026-06-01T00:00:00Z");
    assertThat(EcrCredentials.refreshAt(now, now.plus(Duration.ofHours(1)))).isEqualTo(now.plus(Duration.ofMinutes(54)));
    assertThat(EcrCredentials.refreshAt(now, now.plus(Duration.ofHours(12)))).isEqualTo(now.plus(Duration.ofMinutes(690)));
  }

  @Test
  void aTokenAlreadyExpiredWhenFetchedServesOnlyThatCall() throws Exception {
    // moto's GetAuthorizationToken answers with an expiresAt in 2015: each ask gets a token of its own.
    try (StubHttpServer moto = StubHttpServer.start(request -> Response.of(200, "application/x-amz-json-1.1", """
        {"authorizationData":[{"authorizationToken":"%s","expiresAt":1420070400}]}"""
        .formatted(Base64.getEncoder().encodeToString("AWS:123456789012-auth-token".getBytes(StandardCharsets.UTF_8)))))) {
      EcrCredentials expired = new EcrCredentials(region -> EcrClient.builder()
          .region(region)
          .endpointOverride(moto.uri())
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "example-secret")))
          .httpClientBuilder(UrlConnectionHttpClient.builder())
          .build(), clock);
      assertThat(expired.credentialFor(HOST).orElseThrow().secret()).isEqualTo("123456789012-auth-token");
      assertThat(expired.credentialFor(HOST).orElseThrow().secret()).isEqualTo("123456789012-auth-token");
      assertThat(moto.requests()).hasSize(2);
    }
  }

  @Test
  void aRefusedTokenIsFetchedAgain() {
    credentials.credentialFor(HOST);
    credentials.rejected(HOST);
    assertThat(credentials.credentialFor(HOST).orElseThrow().secret()).isEqualTo("ecr-password-2");
    assertThat(credentials.credentialFor(HOST).orElseThrow().secret()).isEqualTo("ecr-password-2");
  }

  @Test
  void otherRegistriesAskNothing() {
    assertThat(credentials.credentialFor("ghcr.io")).isEmpty();
    assertThat(ecr.requests()).isEmpty();
  }

  @Test
  void apiFailureNamesTheRegionWithoutLeakingKeys() {
    ecr.close();
    EcrCredentials broken = new EcrCredentials(region -> EcrClient.builder()
        .region(region)
        .endpointOverride(java.net.URI.create("http://127.0.0.1:1"))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "example-secret")))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .overrideConfiguration(c -> c.retryStrategy(software.amazon.awssdk.retries.DefaultRetryStrategy.doNotRetry()))
        .build(), clock);
    assertThatThrownBy(() -> broken.credentialFor(HOST))
        .hasMessageContaining("GetAuthorizationToken in eu-west-1 failed")
        .hasMessageNotContaining("example-secret");
  }
}
