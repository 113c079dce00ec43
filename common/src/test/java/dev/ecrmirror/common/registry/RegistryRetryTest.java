package dev.ecrmirror.common.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecrmirror.common.FailureKind;
import dev.ecrmirror.common.Failures;
import dev.ecrmirror.common.manifest.Manifest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.retry.RetryPolicy;
import dev.ecrmirror.common.testing.DockerHubStub;
import dev.ecrmirror.common.testing.SimulatedTime;
import dev.ecrmirror.common.testing.StubHttpServer;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Throttling and rate budgets through the registry client. The registries are stubs at the HTTP
 * level: no real registry answers 429 on demand or reports a pull rate limit.
 */
class RegistryRetryTest {
  private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");

  private final SimulatedTime time = new SimulatedTime(START);

  private RegistryClient client(int reserve) {
    return new RegistryClient(RegistryOptions.defaults().withPullReserve(reserve)
        .withRetry(RetryPolicy.defaults().withTime(time, time, new Random(7))));
  }

  /** A registry answering 429 (with {@code retryAfter}, if not null) to the first {@code throttled} manifest GETs. */
  private static StubHttpServer throttling(int throttled, Function<Integer, String> retryAfter, DockerHubStub image) throws Exception {
    AtomicInteger n = new AtomicInteger();
    return StubHttpServer.start(r -> {
      if (r.method().equals("GET") && r.uri().getPath().contains("/manifests/") && n.getAndIncrement() < throttled) {
        String after = retryAfter.apply(n.get());
        return new StubHttpServer.Response(429, after == null ? Map.of() : Map.of("Retry-After", after),
            "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow down\"}]}".getBytes());
      }
      // Everything else as the Docker Hub stub serves it (the same bytes).
      java.net.http.HttpResponse<byte[]> real = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + image.host() + r.uri()))
              .method(r.method(), java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
          java.net.http.HttpResponse.BodyHandlers.ofByteArray());
      Map<String, String> headers = new java.util.HashMap<>();
      real.headers().map().forEach((k, v) -> {
        if (!k.equalsIgnoreCase("content-length") && !k.equalsIgnoreCase("date") && !k.equalsIgnoreCase("transfer-encoding")) {
          headers.put(k, v.getFirst());
        }
      });
      return new StubHttpServer.Response(real.statusCode(), headers, real.body());
    });
  }

  @Test
  void aRetryAfterInSecondsIsTheWait() throws Exception {
    try (DockerHubStub hub = DockerHubStub.start(100); StubHttpServer registry = throttling(1, n -> "7", hub)) {
      Manifest m = client(0).getManifest(ImageReference.parse(registry.host() + "/library/app:1"));
      assertThat(m.digest()).isEqualTo(hub.digest());
      assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(7));
    }
  }

  @Test
  void aRetryAfterAsAnHttpDateIsTheWait() throws Exception {
    String in30 = DateTimeFormatter.RFC_1123_DATE_TIME.format(START.plusSeconds(30).atOffset(ZoneOffset.UTC));
    try (DockerHubStub hub = DockerHubStub.start(100); StubHttpServer registry = throttling(1, n -> in30, hub)) {
      Manifest m = client(0).getManifest(ImageReference.parse(registry.host() + "/library/app:1"));
      assertThat(m.digest()).isEqualTo(hub.digest());
      assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(30));
    }
  }

  @Test
  void a429WithoutRetryAfterIsRetriedForTheTimeBudgetThenTheRegistryIsSpent() throws Exception {
    try (DockerHubStub hub = DockerHubStub.start(100);
        StubHttpServer registry = throttling(Integer.MAX_VALUE, n -> null, hub)) {
      RegistryClient client = client(0);
      ImageReference ref = ImageReference.parse(registry.host() + "/library/app:1");
      assertThatThrownBy(() -> client.getManifest(ref))
          .isInstanceOf(RateLimitedException.class)
          .satisfies(e -> assertThat(Failures.kind(e)).isEqualTo(FailureKind.RATE_LIMITED))
          .hasMessageContaining(registry.host());
      int tries = registry.requests().size();
      assertThat(tries).as("not a fixed count: --retry-times is 3").isGreaterThan(RetryPolicy.RETRIES + 1);
      assertThat(time.slept()).isEqualTo(RetryPolicy.THROTTLE_BUDGET);

      assertThatThrownBy(() -> client.getManifest(ref.withTag("2"))).isInstanceOf(RateLimitedException.class);
      assertThat(registry.requests()).as("a spent registry is not asked again").hasSize(tries);
      assertThat(client.headManifest(ref)).as("HEADs cost no pull and still go").isPresent();
    }
  }

  @Test
  void pullsStopAtTheReserveWithoutARequestAndHeadsGoOn() throws Exception {
    try (DockerHubStub hub = DockerHubStub.start(20)) {
      RegistryClient client = client(3);
      ImageReference ref = ImageReference.parse(hub.host() + "/library/app:1");
      int pulled = 0;
      RateLimitedException stopped = null;
      for (int i = 0; i < 30 && stopped == null; i++) {
        try {
          client.getManifest(ref.withTag("t" + i));
          pulled++;
        } catch (RateLimitedException e) {
          stopped = e;
        }
      }
      assertThat(stopped).as("the budget ran out").isNotNull();
      assertThat(pulled).as("20 pulls, 3 kept in reserve").isEqualTo(17);
      assertThat(hub.pulls()).isEqualTo(17);
      assertThat(hub.remaining()).isEqualTo(3);
      assertThat(hub.refused()).as("no GET after the budget ran out").isZero();
      assertThat(client.headManifest(ref)).isPresent();
      // Paced in the last pulls before the reserve, not before.
      assertThat(time.sleeps()).isNotEmpty().allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofSeconds(5)));
    }
  }

  @Test
  void aRegistryWithoutHeadersIsSpentByIts429() throws Exception {
    try (DockerHubStub hub = DockerHubStub.startWithoutHeaders(5)) {
      RegistryClient client = new RegistryClient(RegistryOptions.defaults().withPullReserve(0)
          .withRetry(RetryPolicy.defaults().withThrottleBudget(Duration.ofSeconds(10)).withTime(time, time, new Random(7))));
      ImageReference ref = ImageReference.parse(hub.host() + "/library/app:1");
      for (int i = 0; i < 5; i++) {
        client.getManifest(ref);
      }
      assertThatThrownBy(() -> client.getManifest(ref)).isInstanceOf(RateLimitedException.class);
      int refused = hub.refused();
      assertThatThrownBy(() -> client.getManifest(ref)).isInstanceOf(RateLimitedException.class);
      assertThat(hub.refused()).as("no request once spent").isEqualTo(refused);
      assertThat(hub.pulls()).isEqualTo(5);
    }
  }

  @Test
  void theBudgetRefillsAfterItsWindow() throws Exception {
    try (DockerHubStub hub = DockerHubStub.start(4)) {
      RegistryClient client = client(1);
      ImageReference ref = ImageReference.parse(hub.host() + "/library/app:1");
      for (int i = 0; i < 3; i++) {
        client.getManifest(ref);
      }
      assertThatThrownBy(() -> client.getManifest(ref)).isInstanceOf(RateLimitedException.class);
      hub.resetWindow();
      time.advance(Duration.ofSeconds(21_600).plusSeconds(1));
      assertThat(client.getManifest(ref).digest()).isEqualTo(hub.digest());
    }
  }
}
