package dev.ecrmirror.controller.cli;

import picocli.CommandLine.Option;

/** How a command that reads the whole table scans it (a picocli mixin): {@code table list} and {@code sync}. */
final class ScanOptions {
  @Option(names = "--scan-segments", paramLabel = "N", defaultValue = "4",
      description = "Parallel scan segments. Default: ${DEFAULT-VALUE}.")
  int scanSegments;

  /** The number of segments, checked. */
  int segments() {
    if (scanSegments < 1) {
      throw new UsageException("--scan-segments must be 1 or more, not " + scanSegments);
    }
    return scanSegments;
  }
}
