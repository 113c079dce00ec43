package dev.ecrmirror.controller;

import dev.ecrmirror.controller.table.RowState;
import dev.ecrmirror.controller.table.RowStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a sync did with one row.
 *
 * @param key the row's {@code Source}
 * @param action what happened
 * @param drifted the destinations that drifted (keys), in row order
 * @param why for each drifted destination, why
 * @param jobId the job submitted or run, if any
 * @param detail an error or a note
 * @param destinationErrors per destination that failed its check or copy, why (the others went on)
 * @param before what the table said of the row when the sync read it (its status then, its digests):
 *     what reports and notifications compare the outcome with
 */
public record RowOutcome(String key, Action action, List<String> drifted, Map<String, String> why,
    Optional<String> jobId, Optional<String> detail, Map<String, String> destinationErrors, RowState before) {

  public RowOutcome {
    drifted = List.copyOf(drifted);
    why = Map.copyOf(why);
    destinationErrors = Map.copyOf(destinationErrors);
  }

  public RowOutcome(String key, Action action, List<String> drifted, Map<String, String> why, Optional<String> jobId,
      Optional<String> detail) {
    this(key, action, drifted, why, jobId, detail, Map.of(), RowState.empty());
  }

  public RowOutcome(String key, Action action, List<String> drifted, Map<String, String> why, Optional<String> jobId,
      Optional<String> detail, Map<String, String> destinationErrors) {
    this(key, action, drifted, why, jobId, detail, destinationErrors, RowState.empty());
  }

  static RowOutcome of(String key, Action action, String detail) {
    return new RowOutcome(key, action, List.of(), Map.of(), Optional.empty(), Optional.ofNullable(detail));
  }

  /** The same outcome, naming the destinations that failed. */
  RowOutcome withDestinationErrors(Map<String, String> errors) {
    return new RowOutcome(key, action, drifted, why, jobId, detail, errors, before);
  }

  /** The same outcome, with the row's state as the sync read it. */
  public RowOutcome withBefore(RowState state) {
    return new RowOutcome(key, action, drifted, why, jobId, detail, destinationErrors, state);
  }

  /** What a sync did with a row. */
  public enum Action {
    IN_SYNC("in sync"),
    /** A job copied it (in process), or a Batch job for it succeeded and it is now in sync. */
    MIRRORED("mirrored"),
    SUBMITTED("submitted"),
    /** Dry run: a job would be submitted. */
    WOULD_SUBMIT("would submit"),
    /** A job for it is still queued or running. */
    JOB_ACTIVE("job running"),
    /** Another controller claimed the same drift first. */
    CLAIMED_ELSEWHERE("claimed elsewhere"),
    DISABLED("disabled"),
    /** A transient failure: the next attempt is scheduled (or, for a check, is the next run). */
    RETRYING("retrying"),
    /** A registry's rate budget ran out: the row is checked on the next run. */
    DEFERRED("deferred"),
    /** A permanent failure: not retried until the source moves or a user asks. */
    FAILED("failed"),
    /** A destination tag holds another digest and may not be overwritten. */
    CONFLICT("conflict"),
    INVALID("invalid");

    private final String label;

    /** The action a sync reports for a row left in this status. */
    public static Action of(RowStatus status) {
      return switch (status) {
        case RETRYING -> RETRYING;
        case FAILED -> FAILED;
        case CONFLICT -> CONFLICT;
        case DEFERRED -> DEFERRED;
        case INVALID -> INVALID;
        case MIRRORED -> MIRRORED;
        case SUBMITTED -> SUBMITTED;
        case DRIFT -> WOULD_SUBMIT;
        case NEW, IN_SYNC -> IN_SYNC;
      };
    }

    /** The graver of two actions, by the status each stands for (anything else counts as mild). */
    public Action worst(Action other) {
      return ordinal(this) >= ordinal(other) ? this : other;
    }

    private static int ordinal(Action a) {
      return switch (a) {
        case DEFERRED -> 1;
        case RETRYING -> 2;
        case FAILED -> 3;
        case CONFLICT -> 4;
        case INVALID -> 5;
        default -> 0;
      };
    }

    Action(String label) {
      this.label = label;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  /**
   * True unless the row ended the run retrying, failed, in conflict or invalid, or a destination of
   * it failed while the others went on: what makes {@code sync} exit 1. Deferred rows are not failures.
   */
  public boolean ok() {
    return switch (action) {
      case RETRYING, FAILED, CONFLICT, INVALID -> false;
      // Deferred is its worst destination's status: the others failed with nothing graver.
      case DEFERRED -> true;
      default -> destinationErrors.isEmpty();
    };
  }
}
