package dev.ecrmirror.worker;

import dev.ecrmirror.common.report.ReportLine;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What one worker run did, as its metrics line and its event tell it.
 *
 * @param source the source as given (a repository for a repository run)
 * @param lines one run report line per destination (and tag), as {@code --json} prints them
 * @param exitCode the run's exit code
 * @param duration the run's wall time, from the start of the copy to its end
 * @param rateLimitRemaining per source registry that sent {@code ratelimit-remaining}, the lowest count seen
 */
record RunResult(String source, List<ReportLine> lines, int exitCode, Duration duration,
    Map<String, Long> rateLimitRemaining) {

  RunResult {
    lines = List.copyOf(lines);
    rateLimitRemaining = Map.copyOf(rateLimitRemaining);
  }

  /** Bytes sent to destinations, summed over destinations and tags. */
  long bytesCopied() {
    return lines.stream().mapToLong(l -> l.bytesUploaded() == null ? 0 : l.bytesUploaded()).sum();
  }

  /** Destinations (per tag) this run copied to. */
  long copied() {
    return count(ReportLine.Outcome.MIRRORED);
  }

  /** Destinations (per tag) already at the source digest. */
  long inSync() {
    return count(ReportLine.Outcome.IN_SYNC);
  }

  /** Destinations (per tag) that failed, whatever the kind. */
  long failed() {
    return lines.stream().filter(l -> l.outcome().failure()).count();
  }

  private long count(ReportLine.Outcome outcome) {
    return lines.stream().filter(l -> l.outcome() == outcome).count();
  }
}
