package dev.ecrmirror.controller.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.FailureKind;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryOptions;
import dev.ecrmirror.common.retry.RetryPolicy;
import dev.ecrmirror.common.testing.SimulatedTime;
import dev.ecrmirror.common.testing.StubHttpServer;
import dev.ecrmirror.controller.table.MirrorRow;
import dev.ecrmirror.controller.table.RowParser;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A drift check that meets a spent rate budget keeps its kind on the check's failure, so the
 * row can be deferred rather than failed. The registry is a stub: no real one answers 429 on demand.
 */
class RateLimitedCheckTest {
  @Test
  void aSourceThrottledPastTheBudgetFailsTheCheckWithARateLimitedCause() throws Exception {
    try (StubHttpServer registry = StubHttpServer.start(r -> r.uri().getPath().contains("/library/")
        ? StubHttpServer.Response.of(429, "application/json",
            "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"You have reached your pull rate limit.\"}]}")
        : StubHttpServer.Response.of(404, "application/json", "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}"))) {
      SimulatedTime time = new SimulatedTime(Instant.parse("2026-03-01T10:00:00Z"));
      RegistryClient client = new RegistryClient(RegistryOptions.defaults()
          .withRetry(RetryPolicy.defaults().withTime(time, time, new Random(3))));
      DriftChecker checker = new DriftChecker(new DigestResolver(client, Optional.empty(), 4));
      MirrorRow row = (MirrorRow) RowParser.parse(Map.of(
          "Source", AttributeValue.fromS(registry.host() + "/library/app:1"),
          "Destination", AttributeValue.fromS(registry.host() + "/mirror/app")));

      RowCheck check = (RowCheck) checker.check(List.of(row), Set.of()).getFirst();

      assertThat(check.error()).hasValueSatisfying(e -> assertThat(e).contains("pull rate limit", registry.host()));
      assertThat(check.failure()).hasValueSatisfying(f -> assertThat(f.kind()).isEqualTo(FailureKind.RATE_LIMITED));
      assertThat(check.drifted()).isEmpty();
    }
  }
}
