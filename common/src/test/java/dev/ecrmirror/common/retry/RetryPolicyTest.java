package dev.ecrmirror.common.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecrmirror.common.testing.SimulatedTime;
import dev.ecrmirror.common.testing.StubHttpServer;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

class RetryPolicyTest {
  private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");

  private final SimulatedTime time = new SimulatedTime(START);
  private final RetryPolicy policy = RetryPolicy.defaults().withTime(time, time, new Random(42));

  @Test
  void backoffIsFullJitterUnderTheDoublingCeilingAndTheCap() {
    for (int retry = 1; retry <= 12; retry++) {
      long ceiling = Math.min(RetryPolicy.CAP.toMillis(), RetryPolicy.BASE.toMillis() << (retry - 1));
      long lowest = Long.MAX_VALUE;
      long highest = 0;
      for (int i = 0; i < 2_000; i++) {
        long ms = policy.backoff(retry).toMillis();
        assertThat(ms).as("retry %d", retry).isBetween(0L, ceiling);
        lowest = Math.min(lowest, ms);
        highest = Math.max(highest, ms);
      }
      // Full jitter: the whole range is used, not only its upper half.
      assertThat(lowest).as("retry %d lowest", retry).isLessThan(ceiling / 10 + 1);
      assertThat(highest).as("retry %d highest", retry).isGreaterThan(ceiling * 9 / 10);
    }
  }

  @Test
  void theSameSeedGivesTheSameWaits() {
    RetryPolicy again = RetryPolicy.defaults().withTime(time, time, new Random(42));
    for (int retry = 1; retry <= 6; retry++) {
      assertThat(again.backoff(retry)).isEqualTo(policy.backoff(retry));
    }
  }

  @Test
  void retryAfterReadsDeltaSecondsAndHttpDates() {
    assertThat(policy.retryAfter("7")).contains(Duration.ofSeconds(7));
    String in30 = DateTimeFormatter.RFC_1123_DATE_TIME.format(START.plusSeconds(30).atOffset(ZoneOffset.UTC));
    assertThat(in30).endsWith("GMT");
    assertThat(policy.retryAfter(in30)).contains(Duration.ofSeconds(30));
    assertThat(policy.retryAfter("Sun, 06 Nov 1994 08:49:37 GMT")).as("in the past: no wait").contains(Duration.ZERO);
    assertThat(policy.retryAfter("soon")).isEmpty();
  }

  @Test
  void transientFailuresAreRetriedTheConfiguredNumberOfTimes() throws InterruptedException {
    RetryPolicy.Attempts attempts = policy.withRetries(3).start();
    int retries = 0;
    while (attempts.retryTransient()) {
      retries++;
    }
    assertThat(retries).isEqualTo(3);
    assertThat(time.sleeps()).hasSize(3);
  }

  @Test
  void throttlingIsRetriedUntilTheTimeBudgetNotAFixedCount() throws InterruptedException {
    RetryPolicy.Attempts attempts = policy.withThrottleBudget(Duration.ofSeconds(60)).start();
    int retries = 0;
    while (attempts.retryThrottled(Optional.empty())) {
      retries++;
    }
    assertThat(retries).as("far more than --retry-times").isGreaterThan(5);
    assertThat(time.slept()).isEqualTo(Duration.ofSeconds(60));
    assertThat(Duration.between(START, time.instant())).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void aRetryAfterIsTheWaitAndOneBeyondTheBudgetEndsAtOnce() throws InterruptedException {
    RetryPolicy.Attempts attempts = policy.withThrottleBudget(Duration.ofSeconds(60)).start();
    assertThat(attempts.retryThrottled(Optional.of(Duration.ofSeconds(7)))).isTrue();
    assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(7));
    assertThat(attempts.retryThrottled(Optional.of(Duration.ofSeconds(120)))).as("53 s left, asked to wait 120 s").isFalse();
    assertThat(time.sleeps()).as("no wait for a retry that cannot happen").hasSize(1);
    assertThat(attempts.retryAt()).contains(START.plusSeconds(7 + 120));
  }

  @Test
  void anAwsSdkClientTriesAsOftenAsThePolicySays() throws Exception {
    // A stub: no emulator answers 503 on demand. It counts the calls the SDK makes.
    try (StubHttpServer ecr = StubHttpServer.start(r -> StubHttpServer.Response.of(503, "application/x-amz-json-1.1",
            "{\"__type\":\"ServiceUnavailableException\",\"message\":\"try later\"}"));
        EcrClient client = EcrClient.builder().region(Region.US_EAST_1).endpointOverride(ecr.uri())
            .httpClient(UrlConnectionHttpClient.create())
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .overrideConfiguration(c -> c.retryStrategy(
                RetryPolicy.defaults().withRetries(4).withBase(Duration.ofMillis(1)).awsStrategy()))
            .build()) {
      assertThatThrownBy(() -> client.describeRegistry(b -> { })).isInstanceOf(SdkException.class);
      assertThat(ecr.requests()).as("the first try and 4 retries").hasSize(5);
    }
  }
}
