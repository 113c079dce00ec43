package dev.ecrmirror.common.metrics;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;

/**
 * One CloudWatch Embedded Metric Format line: CloudWatch Logs turns it into metrics in namespace
 * {@value #NAMESPACE} with no API call; the controller and the worker both print one per run
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 */
public final class Emf {
  /** The CloudWatch namespace of every metric. */
  public static final String NAMESPACE = "EcrMirror";

  /** The units this project's metrics use (the spec's names). */
  public enum Unit {
    COUNT("Count"), SECONDS("Seconds"), BYTES("Bytes");

    private final String word;

    Unit(String word) {
      this.word = word;
    }
  }

  private final ObjectNode root = JsonNodeFactory.instance.objectNode();
  private final ArrayNode directives;

  private Emf(Instant timestamp) {
    ObjectNode aws = root.putObject("_aws");
    aws.put("Timestamp", timestamp.toEpochMilli());
    directives = aws.putArray("CloudWatchMetrics");
  }

  /** A line whose metrics are for {@code timestamp} (the run's end). */
  public static Emf at(Instant timestamp) {
    return new Emf(timestamp);
  }

  /** A group of metrics sharing one set of dimensions (name to value, in order), filled by {@link Group#add}. */
  public Group group(Map<String, String> dimensions) {
    ObjectNode directive = directives.addObject();
    directive.put("Namespace", NAMESPACE);
    ArrayNode set = directive.putArray("Dimensions").addArray();
    dimensions.forEach((name, value) -> {
      // EMF keeps one value per key at the top level: two groups cannot give one dimension two values.
      if (root.has(name) && !root.get(name).asText().equals(value)) {
        throw new IllegalArgumentException("dimension " + name + " is " + root.get(name).asText() + " already, not "
            + value);
      }
      root.put(name, value);
      set.add(name);
    });
    return new Group(directive.putArray("Metrics"));
  }

  /** The metrics of one dimension set. */
  public final class Group {
    private final ArrayNode metrics;

    private Group(ArrayNode metrics) {
      this.metrics = metrics;
    }

    /** Declares a metric and sets its value; returns this group. */
    public Group add(String name, Unit unit, Number value) {
      if (root.has(name)) {
        throw new IllegalArgumentException("metric " + name + " is in this line already");
      }
      metrics.addObject().put("Name", name).put("Unit", unit.word);
      if (value instanceof Double || value instanceof Float) {
        root.put(name, value.doubleValue());
      } else {
        root.put(name, value.longValue());
      }
      return this;
    }
  }

  /** The line: one JSON object, no newline. */
  public String line() {
    return root.toString();
  }
}
