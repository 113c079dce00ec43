package dev.ecrmirror.controller.table;

import dev.ecrmirror.common.FailureKind;
import java.util.Arrays;
import java.util.Optional;

/** The status the controller writes on a row, as the {@code MirrorStatus} attribute shows it. */
public enum RowStatus {
  /** Never checked: the status {@code table list} shows for a row without {@code MirrorStatus}; never written. */
  NEW("new"),
  /** Every destination holds the source digest. */
  IN_SYNC("in sync"),
  /** Some destination is missing or differs; a job is wanted (or a dry run saw it). */
  DRIFT("drift"),
  /** A job was claimed and submitted for the drift; {@code JobId} names it. */
  SUBMITTED("submitted"),
  /** The last job finished and every destination was written. */
  MIRRORED("mirrored"),
  /**
   * A transient failure (a registry down, a timeout, a job that died): the next attempt is due at
   * {@code NextAttemptAt}, with exponential backoff; {@code LastError} says why.
   */
  RETRYING("retrying"),
  /**
   * A permanent failure (access denied, the source gone, a job that reported success without
   * moving a destination after its attempts): not tried again until the source digest changes or a
   * user runs {@code table retry} or {@code sync --retry-failed}; {@code LastError} says why.
   */
  FAILED("failed"),
  /**
   * A destination tag holds another digest and the registry forbids overwriting it (an immutable
   * ECR tag): as terminal as {@link #FAILED}, and named apart because its fix is a policy decision.
   */
  CONFLICT("conflict"),
  /** A source registry's pull budget ran out before this row's turn: it is checked on the next run. */
  DEFERRED("deferred"),
  /** The row cannot be understood; {@code LastError} says why. */
  INVALID("invalid");

  private final String label;

  RowStatus(String label) {
    this.label = label;
  }

  /** The value stored in the table. */
  public String label() {
    return label;
  }

  /**
   * The graver of two statuses, the one a row with both shows: a row's status is that of its worst
   * destination (or tag). From mild to grave: new, in sync, mirrored, drift, submitted, deferred,
   * retrying, failed, conflict, invalid.
   */
  public RowStatus worst(RowStatus other) {
    return severity() >= other.severity() ? this : other;
  }

  private int severity() {
    return switch (this) {
      case NEW, IN_SYNC -> 0;
      case MIRRORED -> 1;
      case DRIFT -> 2;
      case SUBMITTED -> 3;
      case DEFERRED -> 4;
      case RETRYING -> 5;
      case FAILED -> 6;
      case CONFLICT -> 7;
      case INVALID -> 8;
    };
  }

  /**
   * The status a failure of this kind leaves a row in: transient ones are retried, permanent ones
   * fail, an immutable tag is a conflict, a spent rate budget defers to the next run.
   */
  public static RowStatus of(FailureKind kind) {
    return switch (kind) {
      case TRANSIENT -> RETRYING;
      case PERMANENT -> FAILED;
      case CONFLICT -> CONFLICT;
      case RATE_LIMITED -> DEFERRED;
    };
  }

  /** The status a stored label names, if any. */
  public static Optional<RowStatus> ofLabel(String label) {
    return Arrays.stream(values()).filter(s -> s.label.equals(label)).findFirst();
  }

  @Override
  public String toString() {
    return label;
  }
}
