package dev.ecrmirror.controller.notify;

import static dev.ecrmirror.controller.notify.Outcomes.outcome;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecrmirror.controller.RowOutcome;
import dev.ecrmirror.controller.RowOutcome.Action;
import dev.ecrmirror.controller.table.RowStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The EMF line is what CloudWatch needs to make metrics of it, with the run's counts. */
class EmfMetricsTest {
  @Test
  void oneJsonObjectDeclaringEachMetricWithTheRunsCounts() throws Exception {
    List<RowOutcome> outcomes = new ArrayList<>();
    outcomes.add(outcome("a:1", Action.IN_SYNC, RowStatus.IN_SYNC));
    outcomes.add(outcome("b:1", Action.IN_SYNC, RowStatus.MIRRORED));
    outcomes.add(new RowOutcome("c:1", Action.MIRRORED, List.of("dst/c:1"), Map.of("dst/c:1", "missing"),
        Optional.of("local-1"), Optional.empty()));
    outcomes.add(outcome("d:1", Action.FAILED, RowStatus.FAILED, "source gone", Map.of()));
    outcomes.add(outcome("e:1", Action.RETRYING, RowStatus.IN_SYNC, "registry down", Map.of()));
    outcomes.add(outcome("f:1", Action.DEFERRED, RowStatus.IN_SYNC, "rate limit", Map.of()));

    String line = EmfMetrics.line(Outcomes.run(outcomes));
    assertThat(line).doesNotContain("\n");
    JsonNode json = new ObjectMapper().readTree(line);

    JsonNode directive = json.path("_aws").path("CloudWatchMetrics").get(0);
    assertThat(json.path("_aws").path("Timestamp").asLong()).isEqualTo(Outcomes.START.toEpochMilli() + 42_400);
    assertThat(directive.path("Namespace").asText()).isEqualTo("EcrMirror");
    assertThat(directive.path("Dimensions").toString()).isEqualTo("[[\"Table\",\"Mode\"]]");
    List<String> declared = new ArrayList<>();
    directive.path("Metrics").forEach(m -> declared.add(m.path("Name").asText() + ":" + m.path("Unit").asText()));
    assertThat(declared).containsExactly("RowsChecked:Count", "RowsInSync:Count", "RowsDrifted:Count",
        "RowsMirrored:Count", "RowsFailed:Count", "RowsDeferred:Count", "RunDuration:Seconds");
    // Every declared metric and dimension has its value at the top level, as EMF requires.
    assertThat(json.path("Table").asText()).isEqualTo("ecr-mirror");
    assertThat(json.path("Mode").asText()).isEqualTo("sync");
    assertThat(json.path("RowsChecked").asLong()).isEqualTo(6);
    assertThat(json.path("RowsInSync").asLong()).isEqualTo(3);
    assertThat(json.path("RowsDrifted").asLong()).isEqualTo(1);
    assertThat(json.path("RowsMirrored").asLong()).isEqualTo(1);
    assertThat(json.path("RowsFailed").asLong()).isEqualTo(2);
    assertThat(json.path("RowsDeferred").asLong()).isEqualTo(1);
    assertThat(json.path("RunDuration").asDouble()).isEqualTo(42.4);
  }
}
