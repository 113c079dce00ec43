package dev.ecrmirror.controller;

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
 */
public record RowOutcome(String key, Action action, List<String> drifted, Map<String, String> why,
    Optional<String> jobId, Optional<String> detail) {

  public RowOutcome {
    drifted = List.copyOf(drifted);
    why = Map.copyOf(why);
  }

  static RowOutcome of(String key, Action action, String detail) {
    return new RowOutcome(key, action, List.of(), Map.of(), Optional.empty(), Optional.ofNullable(detail));
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
    FAILED("failed"),
    INVALID("invalid");

    private final String label;

    Action(String label) {
      this.label = label;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  /** True unless the row failed or is invalid. */
  public boolean ok() {
    return action != Action.FAILED && action != Action.INVALID;
  }
}
