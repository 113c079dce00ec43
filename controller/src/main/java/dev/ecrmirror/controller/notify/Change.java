package dev.ecrmirror.controller.notify;

import dev.ecrmirror.controller.RowOutcome;
import dev.ecrmirror.controller.RowOutcome.Action;
import dev.ecrmirror.controller.table.RowStatus;
import java.util.Optional;

/**
 * A row whose outcome changed in a run: what it was before, what the run left, and the kind of
 * change (which names the EventBridge detail type).
 *
 * @param outcome what the sync did with the row
 * @param kind the kind of change
 * @param before the row's status when the sync read it ({@code new} for a row never checked)
 * @param after the status the run left
 */
public record Change(RowOutcome outcome, Kind kind, RowStatus before, RowStatus after) {

  /** Kinds of change, each one EventBridge detail type. */
  public enum Kind {
    /** A copy finished in this run (in process, or a Batch job read back): the row is {@code mirrored}. */
    SUCCEEDED("Mirror Succeeded"),
    /** A row that was retrying, failed, in conflict or invalid is in sync again without a copy. */
    RECOVERED("Mirror Recovered"),
    /** The row became {@code retrying} or {@code failed}, or went from one to the other. */
    FAILED("Mirror Failed"),
    /** The row became {@code conflict}. */
    CONFLICT("Mirror Conflict"),
    /** The row became {@code deferred}. */
    DEFERRED("Mirror Deferred"),
    /** The row became {@code invalid}. */
    INVALID("Mirror Invalid");

    private final String detailType;

    Kind(String detailType) {
      this.detailType = detailType;
    }

    /** The EventBridge {@code detail-type}. */
    public String detailType() {
      return detailType;
    }
  }

  /**
   * The change an outcome is, if any. A status the run repeats is no change (a row retrying run
   * after run is reported by the failing list and the metrics, not by an event per run); a row
   * submitted, still running, disabled, or planned in a dry run is no change either: its job's end is.
   */
  public static Optional<Change> of(RowOutcome outcome) {
    RowStatus before = outcome.before().status().orElse(RowStatus.NEW);
    Optional<RowStatus> left = statusLeft(outcome.action());
    if (left.isEmpty()) {
      return Optional.empty();
    }
    RowStatus after = left.get();
    Kind kind = switch (after) {
      // Action MIRRORED is reported only by the run whose copy (or job) ended: never twice.
      case MIRRORED -> Kind.SUCCEEDED;
      case IN_SYNC -> failing(before) ? Kind.RECOVERED : null;
      case RETRYING, FAILED -> after == before ? null : Kind.FAILED;
      case CONFLICT -> after == before ? null : Kind.CONFLICT;
      case DEFERRED -> after == before ? null : Kind.DEFERRED;
      case INVALID -> after == before ? null : Kind.INVALID;
      default -> null;
    };
    return Optional.ofNullable(kind).map(k -> new Change(outcome, k, before, after));
  }

  /** The status a sync's action leaves on the row; empty where the action leaves it as it was or writes nothing. */
  public static Optional<RowStatus> statusLeft(Action action) {
    return Optional.ofNullable(switch (action) {
      case IN_SYNC -> RowStatus.IN_SYNC;
      case MIRRORED -> RowStatus.MIRRORED;
      case SUBMITTED, JOB_ACTIVE -> RowStatus.SUBMITTED;
      case RETRYING -> RowStatus.RETRYING;
      case DEFERRED -> RowStatus.DEFERRED;
      case FAILED -> RowStatus.FAILED;
      case CONFLICT -> RowStatus.CONFLICT;
      case INVALID -> RowStatus.INVALID;
      case WOULD_SUBMIT, CLAIMED_ELSEWHERE, DISABLED -> null;
    });
  }

  private static boolean failing(RowStatus status) {
    return switch (status) {
      case RETRYING, FAILED, CONFLICT, INVALID -> true;
      default -> false;
    };
  }
}
