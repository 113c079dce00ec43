package dev.ecrmirror.controller.report;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a run report goes and in which format, both from what the user wrote: a file path or
 * {@code s3://bucket/key}, whose extension names the format ({@code .csv}, {@code .json},
 * {@code .jsonl}, each optionally {@code .gz}).
 *
 * @param written the location as given
 * @param file the file, unless the report goes to S3
 * @param bucket the S3 bucket, for an {@code s3://} location
 * @param key the S3 object key, for an {@code s3://} location
 * @param format the format
 * @param gzip true when the name ends in {@code .gz}
 */
public record ReportTarget(String written, Optional<Path> file, Optional<String> bucket, Optional<String> key,
    Format format, boolean gzip) {

  /** What the extensions accept, for messages. */
  static final String EXTENSIONS = ".csv, .csv.gz, .json, .json.gz, .jsonl or .jsonl.gz";

  /** A report's format. */
  public enum Format {
    /** A header row of the field names, then one record per line (RFC 4180 quoting). */
    CSV,
    /** One JSON array, one line object per line. */
    JSON,
    /** One JSON object per line (JSON Lines). */
    JSON_LINES
  }

  /**
   * Reads a {@code --report} value.
   *
   * @throws IllegalArgumentException naming the value and what to write instead
   */
  public static ReportTarget parse(String written) {
    if (written == null || written.isBlank()) {
      throw new IllegalArgumentException("--report needs a file name or s3://bucket/key");
    }
    Optional<Path> file = Optional.empty();
    Optional<String> bucket = Optional.empty();
    Optional<String> key = Optional.empty();
    String name;
    if (written.regionMatches(true, 0, "s3://", 0, 5)) {
      String rest = written.substring(5);
      int slash = rest.indexOf('/');
      if (slash <= 0 || slash == rest.length() - 1) {
        throw new IllegalArgumentException("--report " + written + " names no bucket or no key: write s3://BUCKET/KEY.csv");
      }
      bucket = Optional.of(rest.substring(0, slash));
      key = Optional.of(rest.substring(slash + 1));
      name = key.get();
    } else {
      file = Optional.of(Path.of(written));
      name = written;
    }
    String lower = name.toLowerCase(Locale.ROOT);
    boolean gzip = lower.endsWith(".gz");
    if (gzip) {
      lower = lower.substring(0, lower.length() - 3);
    }
    Format format;
    if (lower.endsWith(".csv")) {
      format = Format.CSV;
    } else if (lower.endsWith(".json")) {
      format = Format.JSON;
    } else if (lower.endsWith(".jsonl")) {
      format = Format.JSON_LINES;
    } else {
      throw new IllegalArgumentException("--report " + written + ": the format comes from the name's extension, which"
          + " must be " + EXTENSIONS);
    }
    return new ReportTarget(written, file, bucket, key, format, gzip);
  }

  /** True when the report goes to S3. */
  public boolean s3() {
    return bucket.isPresent();
  }

  /** The media type stored with an S3 object. */
  String contentType() {
    if (gzip) {
      return "application/gzip";
    }
    return switch (format) {
      case CSV -> "text/csv; charset=utf-8";
      case JSON -> "application/json";
      case JSON_LINES -> "application/jsonl";
    };
  }

  @Override
  public String toString() {
    return written;
  }
}
