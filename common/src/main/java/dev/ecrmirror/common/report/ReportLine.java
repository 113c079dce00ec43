package dev.ecrmirror.common.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecrmirror.common.FailureKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One line of a run report: what a run did for one destination of one source (and tag), in the one
 * schema {@code controller sync --report} writes and each {@code destinations} entry of the worker's
 * {@code --json} carries (docs/report.md). Fields that are not known are null.
 *
 * @param source the row's {@code Source} (the controller), or the source as the worker resolved it
 * @param tag the tag, for a repository row (or a worker's repository run); null otherwise
 * @param destination the destination, as the table's {@code DestinationDigests} keys it; null for a row
 *     that cannot be understood
 * @param sourceDigest the source's digest when the run checked it
 * @param digestBefore what the destination held before the run (null when it lacked the image, or is unknown)
 * @param digest what the destination holds after the run (the worker's {@code digest})
 * @param outcome what the run left it in
 * @param bytesUploaded bytes sent to the destination, for copies made in process
 * @param seconds wall time spent on the destination, for copies made in process
 * @param error why it is not in sync: the failure, or for {@code drift} why it drifted
 * @param kind what a failure means for the next attempt: {@code transient}, {@code permanent},
 *     {@code conflict}, {@code rate_limited}; null unless it failed and the kind is known
 */
public record ReportLine(String source, String tag, String destination, String sourceDigest, String digestBefore,
    String digest, Outcome outcome, Long bytesUploaded, Double seconds, String error, String kind) {

  /** The field names, in order: the JSON object's keys and the CSV header. */
  public static final List<String> FIELDS = List.of("source", "tag", "destination", "sourceDigest", "digestBefore",
      "digest", "outcome", "bytesUploaded", "seconds", "error", "kind");

  public ReportLine {
    if (outcome == null) {
      throw new IllegalArgumentException("a report line needs an outcome");
    }
  }

  /**
   * What a run left a destination in: the status words of the mirror table, plus {@code drift} for
   * what a dry run found missing or different.
   */
  public enum Outcome {
    IN_SYNC("in sync"),
    /** Copied in this run (or by the job that this run found ended). */
    MIRRORED("mirrored"),
    /** A job carries it (on AWS Batch); its result is read back by a later run. */
    SUBMITTED("submitted"),
    /** A dry run found it missing or at another digest. */
    DRIFT("drift"),
    RETRYING("retrying"),
    FAILED("failed"),
    CONFLICT("conflict"),
    DEFERRED("deferred"),
    INVALID("invalid");

    private final String word;

    Outcome(String word) {
      this.word = word;
    }

    /** The outcome a failure of this kind leaves, as the controller records it on a row. */
    public static Outcome of(FailureKind kind) {
      return switch (kind) {
        case TRANSIENT -> RETRYING;
        case PERMANENT -> FAILED;
        case CONFLICT -> CONFLICT;
        case RATE_LIMITED -> DEFERRED;
      };
    }

    /** True for the outcomes that are failures (what makes {@code sync} exit 1, deferred aside). */
    public boolean failure() {
      return this == RETRYING || this == FAILED || this == CONFLICT || this == DEFERRED || this == INVALID;
    }

    @Override
    public String toString() {
      return word;
    }
  }

  /** A failure kind as reports name it: {@code transient}, {@code permanent}, {@code conflict}, {@code rate_limited}. */
  public static String kindWord(FailureKind kind) {
    return kind == null ? null : kind.name().toLowerCase(Locale.ROOT);
  }

  /** Puts every field into {@code node}, in {@link #FIELDS} order, unknown ones as null; returns {@code node}. */
  public ObjectNode into(ObjectNode node) {
    node.put("source", source);
    node.put("tag", tag);
    node.put("destination", destination);
    node.put("sourceDigest", sourceDigest);
    node.put("digestBefore", digestBefore);
    node.put("digest", digest);
    node.put("outcome", outcome.toString());
    node.put("bytesUploaded", bytesUploaded);
    node.put("seconds", seconds);
    node.put("error", error);
    node.put("kind", kind);
    return node;
  }

  /** The fields as text, in {@link #FIELDS} order, unknown ones empty: one CSV record before quoting. */
  public List<String> values() {
    List<String> out = new ArrayList<>(FIELDS.size());
    for (Object v : new Object[] {source, tag, destination, sourceDigest, digestBefore, digest, outcome, bytesUploaded,
        seconds, error, kind}) {
      out.add(v == null ? "" : v.toString());
    }
    return out;
  }
}
