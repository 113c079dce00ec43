package dev.ecrmirror.controller.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecrmirror.controller.RowOutcome.Action;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run's metrics as one CloudWatch Embedded Metric Format line: CloudWatch Logs turns it into
 * metrics in namespace {@value #NAMESPACE} with no API call
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 */
public final class EmfMetrics {
  /** The CloudWatch namespace of every metric. */
  public static final String NAMESPACE = "EcrMirror";
  /** The dimensions: which table, and whether a scheduled scan ({@code sync}) or a push-event run ({@code events}). */
  public static final String DIMENSION_TABLE = "Table";
  public static final String DIMENSION_MODE = "Mode";
  private static final ObjectMapper JSON = new ObjectMapper();

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
    ObjectNode root = JSON.createObjectNode();
    ObjectNode aws = root.putObject("_aws");
    aws.put("Timestamp", run.startedAt().plus(run.duration()).toEpochMilli());
    ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
    directive.put("Namespace", NAMESPACE);
    directive.putArray("Dimensions").addArray().add(DIMENSION_TABLE).add(DIMENSION_MODE);
    ArrayNode metrics = directive.putArray("Metrics");
    root.put(DIMENSION_TABLE, run.table());
    root.put(DIMENSION_MODE, run.mode());
    values(run).forEach((name, value) -> {
      metrics.addObject().put("Name", name).put("Unit", name.equals("RunDuration") ? "Seconds" : "Count");
      if (value instanceof Double d) {
        root.put(name, d);
      } else {
        root.put(name, value.longValue());
      }
    });
    return root.toString();
  }
}
