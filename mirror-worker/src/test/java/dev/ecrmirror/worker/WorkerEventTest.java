package dev.ecrmirror.worker;

import static dev.ecrmirror.worker.WorkerMetricsTest.line;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecrmirror.common.report.ReportLine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The worker event's detail stays within what EventBridge takes and keeps what a user acts on. */
class WorkerEventTest {
  @Test
  void aLargeRepositoryRunsEventKeepsItsFailuresAndSaysHowManyLinesItLeftOut() {
    List<ReportLine> lines = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      lines.add(line("r1/nginx:" + i, ReportLine.Outcome.IN_SYNC, 0));
    }
    lines.add(line("r1/nginx:broken", ReportLine.Outcome.RETRYING, 0));
    RunResult run = new RunResult("docker.io/library/nginx", lines, 1, Duration.ofSeconds(60), Map.of());

    JsonNode detail = WorkerEvent.detail(run, java.util.Optional.of("job-1"));

    assertThat(detail.toString().length()).isLessThan(WorkerEvent.MAX_DETAIL);
    assertThat(detail.path("destinations").size()).isEqualTo(1);
    assertThat(detail.at("/destinations/0/destination").asText()).isEqualTo("r1/nginx:broken");
    assertThat(detail.path("omitted").asInt()).isEqualTo(3000);
    assertThat(detail.path("inSync").asInt()).isEqualTo(3000);
    assertThat(detail.path("failed").asInt()).isEqualTo(1);
    assertThat(detail.path("jobId").asText()).isEqualTo("job-1");
  }
}
