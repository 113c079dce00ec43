package dev.ecrmirror.controller.cli;

import dev.ecrmirror.controller.report.ReportTarget;
import java.net.URI;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** Where {@code sync} writes its run report (a picocli mixin). */
final class ReportOptions {
  @Option(names = "--report", paramLabel = "FILE",
      defaultValue = "${env:ECR_MIRROR_REPORT}",
      description = {"Also write a report of the run: one line per row and destination (and tag), with the digests"
          + " before and after, the outcome, bytes, seconds and error. The name's extension picks the format:"
          + " .csv, .json (one array), .jsonl (JSON lines), each optionally .gz; s3://BUCKET/KEY.csv writes to S3."
          + " With --dry-run: only what is not in sync. Default: $ECR_MIRROR_REPORT.",
          "A report that cannot be written is one warning; the run goes on, and exits 1 for a FILE given here."})
  String report;

  @Option(names = "--s3-endpoint-url", paramLabel = "URL", description = "Override the S3 endpoint (for --report s3://...).")
  URI s3Endpoint;

  /** The report asked for, if any; a name whose format cannot be told is bad usage. */
  Optional<ReportTarget> target() {
    if (report == null || report.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(ReportTarget.parse(report));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /**
   * True when a report that could not be written should make the run exit 1: a file named on the
   * command line, not one from the environment nor an S3 object.
   */
  boolean failsRun(CommandSpec spec, ReportTarget target) {
    return !target.s3() && spec.commandLine().getParseResult().hasMatchedOption("--report");
  }

  Optional<URI> s3Endpoint() {
    return Optional.ofNullable(s3Endpoint);
  }
}
