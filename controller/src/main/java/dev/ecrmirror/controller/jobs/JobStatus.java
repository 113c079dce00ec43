package dev.ecrmirror.controller.jobs;

import dev.ecrmirror.common.FailureKind;
import java.time.Instant;
import java.util.Optional;

/**
 * Where a submitted job stands.
 *
 * @param state the coarse state
 * @param reason why it failed, as Batch says
 * @param stoppedAt when it finished
 * @param kind for a failed job, what its failure means for the next attempt (from the worker's exit code)
 */
public record JobStatus(State state, Optional<String> reason, Optional<Instant> stoppedAt, FailureKind kind) {

  public JobStatus(State state, Optional<String> reason, Optional<Instant> stoppedAt) {
    this(state, reason, stoppedAt, FailureKind.TRANSIENT);
  }

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
