package dev.ecrmirror.worker;

import dev.ecrmirror.common.report.ReportLine;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a worker run tells the world when it ends: one EMF metrics line and one EventBridge event,
 * each optional; neither changes the run's exit code, and an event that cannot be put is one warning line.
 */
final class RunNotices {
  /** Set by AWS Batch in every job's environment: the event names the job. */
  static final String ENV_JOB_ID = "AWS_BATCH_JOB_ID";

  private final boolean emf;
  private final Optional<WorkerEvent> event;
  private final Optional<String> jobId;
  private final Clock clock;
  private final Instant started;

  /** Notices for a run that starts now; {@code env} names the Batch job, if any. */
  RunNotices(boolean emf, Optional<WorkerEvent> event, Map<String, String> env, Clock clock) {
    this.emf = emf;
    this.event = event;
    this.jobId = Optional.ofNullable(env.get(ENV_JOB_ID)).filter(j -> !j.isBlank());
    this.clock = clock;
    this.started = clock.instant();
  }

  /**
   * Sends the notices of a run that ended with {@code exitCode} and returns that code; a dry run
   * sends none (it copied nothing, and its duration is not a job's).
   *
   * @param metricsOut where the EMF line goes: stdout, or stderr when stdout carries the JSON document
   * @param err where a failed event put says so
   */
  int send(String source, List<ReportLine> lines, int exitCode, Map<String, Long> rateLimitRemaining, boolean dryRun,
      PrintWriter metricsOut, PrintWriter err) {
    if (dryRun || (!emf && event.isEmpty())) {
      return exitCode;
    }
    Instant end = clock.instant();
    RunResult run = new RunResult(source, lines, exitCode, Duration.between(started, end), rateLimitRemaining);
    if (emf) {
      metricsOut.println(WorkerMetrics.line(run, end));
      metricsOut.flush();
    }
    event.flatMap(e -> e.put(run, jobId, end)).ifPresent(why -> {
      err.println("mirror-worker: warning: the run's EventBridge event was not put (" + why
          + "): check events:PutEvents on the bus; the run's result stands");
      err.flush();
    });
    return exitCode;
  }
}
