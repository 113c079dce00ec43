package dev.ecrmirror.worker;

import dev.ecrmirror.common.metrics.Emf;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A worker run's metrics as one CloudWatch Embedded Metric Format line ({@link Emf}), dimension
 * {@code Job=worker}: bytes copied, the run's duration, destinations copied and failed, and the
 * source registry's lowest {@code ratelimit-remaining} when it sent one (also by {@code Registry}).
 */
final class WorkerMetrics {
  static final String DIMENSION_JOB = "Job";
  static final String DIMENSION_REGISTRY = "Registry";
  static final String JOB = "worker";

  private WorkerMetrics() {}

  /** The line for {@code run}, timestamped at {@code end}; one JSON object, no newline. */
  static String line(RunResult run, Instant end) {
    Emf line = Emf.at(end);
    line.group(Map.of(DIMENSION_JOB, JOB))
        .add("BytesCopied", Emf.Unit.BYTES, run.bytesCopied())
        .add("JobDuration", Emf.Unit.SECONDS, run.duration().toMillis() / 1000.0)
        .add("DestinationsCopied", Emf.Unit.COUNT, run.copied())
        .add("DestinationsFailed", Emf.Unit.COUNT, run.failed());
    // One run reads one source registry; a line holds one value per dimension, so one registry at most.
    run.rateLimitRemaining().entrySet().stream().findFirst().ifPresent(e -> {
      Map<String, String> dimensions = new LinkedHashMap<>();
      dimensions.put(DIMENSION_JOB, JOB);
      dimensions.put(DIMENSION_REGISTRY, e.getKey());
      line.group(dimensions).add("RateLimitRemaining", Emf.Unit.COUNT, e.getValue());
    });
    return line.line();
  }
}
