package dev.ecrmirror.controller.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecrmirror.common.Json;
import dev.ecrmirror.common.aws.AwsErrors;
import dev.ecrmirror.common.report.ReportLine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Writes a run report to a file or an S3 object, in the format its name asks for. */
public final class ReportWriter {
  private ReportWriter() {}

  /**
   * Writes the report; never throws for a place that cannot be written.
   *
   * @param s3 the S3 client, asked for only when the report goes to S3
   * @return empty when written, else one line saying why not and what to do
   */
  public static Optional<String> write(ReportTarget target, List<ReportLine> lines, Supplier<S3Client> s3) {
    byte[] bytes = encode(lines, target.format(), target.gzip());
    if (target.s3()) {
      return toS3(target, bytes, s3);
    }
    return toFile(target.file().orElseThrow(), bytes);
  }

  /** The report's bytes: CSV with a header row, one JSON array, or JSON lines; gzipped when asked. */
  static byte[] encode(List<ReportLine> lines, ReportTarget.Format format, boolean gzip) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (OutputStream out = gzip ? new GZIPOutputStream(buffer) : buffer) {
      out.write(text(lines, format).getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }

  private static String text(List<ReportLine> lines, ReportTarget.Format format) {
    StringBuilder out = new StringBuilder();
    ObjectMapper json = Json.mapper();
    switch (format) {
      case CSV -> {
        out.append(String.join(",", ReportLine.FIELDS)).append("\r\n");
        for (ReportLine line : lines) {
          List<String> values = line.values();
          for (int i = 0; i < values.size(); i++) {
            out.append(i == 0 ? "" : ",").append(csv(values.get(i)));
          }
          out.append("\r\n");
        }
      }
      case JSON -> {
        // One array, an object per line: valid JSON that still reads (and greps) line by line.
        out.append('[');
        for (int i = 0; i < lines.size(); i++) {
          out.append(i == 0 ? "\n" : ",\n").append(lines.get(i).into(json.createObjectNode()));
        }
        out.append(lines.isEmpty() ? "]\n" : "\n]\n");
      }
      case JSON_LINES -> lines.forEach(line -> out.append(line.into(json.createObjectNode())).append('\n'));
    }
    return out.toString();
  }

  /** A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
  static String csv(String value) {
    if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
      return value;
    }
    return '"' + value.replace("\"", "\"\"") + '"';
  }

  private static Optional<String> toFile(Path file, byte[] bytes) {
    try {
      Files.write(file, bytes);
      return Optional.empty();
    } catch (NoSuchFileException e) {
      return Optional.of("cannot write " + file + ": its directory does not exist (create it, or name another file)");
    } catch (AccessDeniedException e) {
      return Optional.of("cannot write " + file + ": permission denied (name a file this user may write)");
    } catch (FileSystemException e) {
      return Optional.of("cannot write " + file + ": " + (e.getReason() == null ? e.getMessage() : e.getReason()));
    } catch (IOException e) {
      return Optional.of("cannot write " + file + ": " + e.getMessage());
    }
  }

  private static Optional<String> toS3(ReportTarget target, byte[] bytes, Supplier<S3Client> s3) {
    try {
      s3.get().putObject(b -> b.bucket(target.bucket().get()).key(target.key().get()).contentType(target.contentType()),
          RequestBody.fromBytes(bytes));
      return Optional.empty();
    } catch (S3Exception e) {
      String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
      String message = e.awsErrorDetails() == null || e.awsErrorDetails().errorMessage() == null ? e.getMessage()
          : e.awsErrorDetails().errorMessage();
      String hint = switch (String.valueOf(code)) {
        case "AccessDenied" -> ": the controller's role needs s3:PutObject on it";
        case "NoSuchBucket" -> ": create the bucket, or name another";
        default -> "";
      };
      return Optional.of("cannot write " + target + ": " + message + (code == null ? "" : " (" + code + ")") + hint);
    } catch (SdkException | IllegalArgumentException e) {
      return Optional.of("cannot write " + target + ": " + AwsErrors.message(e, "write it"));
    }
  }
}
