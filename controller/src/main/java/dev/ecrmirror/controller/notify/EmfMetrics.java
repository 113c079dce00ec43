package dev.ecrmirror.controller.notify;

import dev.ecrmirror.common.metrics.Emf;
import dev.ecrmirror.controller.RowOutcome.Action;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A sync's metrics as one CloudWatch Embedded Metric Format line ({@link Emf}): rows checked, in sync,
 * drifted, mirrored, failed, deferred, and the run's duration.
 */
public final class EmfMetrics {
  /** The dimensions: which table, and whether a scheduled scan ({@code sync}) or a push-event run ({@code events}). */
  public static final String DIMENSION_TABLE = "Table";
  public static final String DIMENSION_MODE = "Mode";

  private EmfMetrics() {}

  /** The metric names and their values for a run, in the order the line lists them. */
  public static Map<String, Number> values(RunSummary run) {
    Map<String, Number> m = new LinkedHashMap<>();
    m.put("RowsChecked", run.outcomes().size());
    m.put("RowsInSync", run.count(Action.IN_SYNC) + run.count(Action.MIRRORED));
    m.put("RowsDrifted", run.drifted());
    m.put("RowsMirrored", run.count(Action.MIRRORED));
    m.put("RowsFailed", run.failing().size());
    m.put("RowsDeferred", run.count(Action.DEFERRED));
    m.put("RunDuration", run.duration().toMillis() / 1000.0);
    return m;
  }

  /** The EMF line (one JSON object, no newline). */
  public static String line(RunSummary run) {
    Map<String, String> dimensions = new LinkedHashMap<>();
    dimensions.put(DIMENSION_TABLE, run.table());
    dimensions.put(DIMENSION_MODE, run.mode());
    Emf line = Emf.at(run.startedAt().plus(run.duration()));
    Emf.Group group = line.group(dimensions);
    values(run).forEach((name, value) ->
        group.add(name, name.equals("RunDuration") ? Emf.Unit.SECONDS : Emf.Unit.COUNT, value));
    return line.line();
  }
}
