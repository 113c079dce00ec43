package dev.ecrmirror.controller.notify;

import dev.ecrmirror.controller.RowOutcome;
import dev.ecrmirror.controller.RowOutcome.Action;
import dev.ecrmirror.controller.table.RowState;
import dev.ecrmirror.controller.table.RowStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Row outcomes as a sync returns them, for the notification tests. */
final class Outcomes {
  static final Instant START = Instant.parse("2025-06-01T10:00:00Z");

  private Outcomes() {}

  /** A row's outcome: what the run did, and the status the table held before it. */
  static RowOutcome outcome(String key, Action action, RowStatus before, String detail, Map<String, String> errors) {
    return new RowOutcome(key, action, List.of(), Map.of(), Optional.empty(), Optional.ofNullable(detail), errors,
        state(before));
  }

  static RowOutcome outcome(String key, Action action, RowStatus before) {
    return outcome(key, action, before, null, Map.of());
  }

  static RowState state(RowStatus status) {
    if (status == RowStatus.NEW) {
      return RowState.empty();
    }
    return new RowState(Optional.of(status), Optional.empty(), Map.of(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Map.of(),
        Optional.empty(), Optional.empty(), 0, Optional.empty(), Map.of());
  }

  static RunSummary run(List<RowOutcome> outcomes) {
    return new RunSummary("ecr-mirror", "sync", outcomes, Map.of(), START, Duration.ofMillis(42_400));
  }
}
