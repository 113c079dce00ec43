package dev.ecrmirror.controller.jobs;

import java.time.Instant;
import java.util.Optional;

/**
 * Where a submitted job stands.
 *
 * @param state the coarse state
 * @param reason why it failed, as Batch says
 * @param stoppedAt when it finished
 */
public record JobStatus(State state, Optional<String> reason, Optional<Instant> stoppedAt) {

  /** The states reconciliation cares about. */
  public enum State {
    /** Queued or running. */
    ACTIVE,
    SUCCEEDED,
    FAILED,
    /** The executor does not know the job (expired from Batch, or a local run that died). */
    UNKNOWN
  }

  public static JobStatus unknown() {
    return new JobStatus(State.UNKNOWN, Optional.empty(), Optional.empty());
  }
}
