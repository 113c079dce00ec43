package dev.ecrmirror.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecrmirror.common.report.ReportLine;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The worker's EMF line is what CloudWatch needs to make metrics of it, with the run's figures. */
class WorkerMetricsTest {
  private static final Instant END = Instant.parse("2025-03-04T05:06:07Z");

  static ReportLine line(String destination, ReportLine.Outcome outcome, long bytes) {
    return new ReportLine("docker.io/library/nginx", "1.27", destination, "sha256:" + "a".repeat(64), null,
        outcome.failure() ? null : "sha256:" + "a".repeat(64), outcome, bytes, 1.5,
        outcome.failure() ? "registry down" : null, outcome.failure() ? "transient" : null);
  }

  static List<String> declared(JsonNode directive) {
    List<String> names = new ArrayList<>();
    directive.path("Metrics").forEach(m -> names.add(m.path("Name").asText() + ":" + m.path("Unit").asText()));
    return names;
  }

  @Test
  void bytesDurationAndDestinationsByJobAndTheSourcesRateLimitByRegistry() throws Exception {
    RunResult run = new RunResult("docker.io/library/nginx",
        List.of(line("r1/nginx:1.27", ReportLine.Outcome.MIRRORED, 1000), line("r2/nginx:1.27", ReportLine.Outcome.MIRRORED, 2500),
            line("r3/nginx:1.27", ReportLine.Outcome.IN_SYNC, 0), line("r4/nginx:1.27", ReportLine.Outcome.RETRYING, 0)),
        1, Duration.ofMillis(12_340), Map.of("registry-1.docker.io", 87L));

    String text = WorkerMetrics.line(run, END);
    assertThat(text).doesNotContain("\n");
    JsonNode json = new ObjectMapper().readTree(text);

    assertThat(json.at("/_aws/Timestamp").asLong()).isEqualTo(END.toEpochMilli());
    JsonNode byJob = json.at("/_aws/CloudWatchMetrics/0");
    JsonNode byRegistry = json.at("/_aws/CloudWatchMetrics/1");
    assertThat(byJob.path("Namespace").asText()).isEqualTo("EcrMirror");
    assertThat(byJob.path("Dimensions").toString()).isEqualTo("[[\"Job\"]]");
    assertThat(declared(byJob)).containsExactly("BytesCopied:Bytes", "JobDuration:Seconds", "DestinationsCopied:Count",
        "DestinationsFailed:Count");
    assertThat(byRegistry.path("Dimensions").toString()).isEqualTo("[[\"Job\",\"Registry\"]]");
    assertThat(declared(byRegistry)).containsExactly("RateLimitRemaining:Count");
    // Every declared metric and dimension has its value at the top level, as EMF requires.
    assertThat(json.path("Job").asText()).isEqualTo("worker");
    assertThat(json.path("Registry").asText()).isEqualTo("registry-1.docker.io");
    assertThat(json.path("BytesCopied").asLong()).isEqualTo(3500);
    assertThat(json.path("JobDuration").asDouble()).isEqualTo(12.34);
    assertThat(json.path("DestinationsCopied").asLong()).isEqualTo(2);
    assertThat(json.path("DestinationsFailed").asLong()).isEqualTo(1);
    assertThat(json.path("RateLimitRemaining").asLong()).isEqualTo(87);
  }

  @Test
  void noRateLimitMetricWhenTheRegistrySentNoHeader() throws Exception {
    RunResult run = new RunResult("r0/app:1", List.of(line("r1/app:1", ReportLine.Outcome.IN_SYNC, 0)), 0,
        Duration.ofSeconds(2), Map.of());

    JsonNode json = new ObjectMapper().readTree(WorkerMetrics.line(run, END));

    assertThat(json.at("/_aws/CloudWatchMetrics").size()).isEqualTo(1);
    assertThat(json.has("RateLimitRemaining")).isFalse();
    assertThat(json.has("Registry")).isFalse();
    assertThat(json.path("BytesCopied").asLong()).isZero();
  }
}
