package dev.ecrmirror.common;

/**
 * What a failure means for the next attempt: the controller turns it into a row's status
 * ({@code retrying}, {@code failed}, {@code conflict} or {@code deferred}), and the worker into its
 * exit code, so a Batch job's outcome says the same thing an in-process run does.
 */
public enum FailureKind {
  /** May pass on a later try: no response, a timeout, 5xx, throttling within its budget. */
  TRANSIENT(1),
  /**
   * Will not pass by trying again until something changes: access denied, the source gone, a
   * repository that cannot be created. Retried when the source moves or a user asks.
   */
  PERMANENT(6),
  /** The destination tag holds another digest and the registry forbids overwriting it (an immutable tag). */
  CONFLICT(4),
  /** A registry's pull budget ran out: try again on a later run, not sooner. */
  RATE_LIMITED(5);

  private final int exitCode;

  FailureKind(int exitCode) {
    this.exitCode = exitCode;
  }

  /**
   * The worker's exit code when this is its worst failure (documented in its {@code --help}). Not 3:
   * the JVM exits 3 when it runs out of memory ({@code -XX:+ExitOnOutOfMemoryError}), which must
   * read as transient.
   */
  public int exitCode() {
    return exitCode;
  }

  /** The kind a worker exit code stands for; any other non-zero code is {@link #TRANSIENT}. */
  public static FailureKind ofExitCode(int code) {
    for (FailureKind k : values()) {
      if (k.exitCode == code) {
        return k;
      }
    }
    return TRANSIENT;
  }

  /** The graver of two kinds: a conflict outranks a permanent failure, which outranks the rest. */
  public FailureKind worst(FailureKind other) {
    return rank() >= other.rank() ? this : other;
  }

  private int rank() {
    return switch (this) {
      case TRANSIENT -> 0;
      case RATE_LIMITED -> 1;
      case PERMANENT -> 2;
      case CONFLICT -> 3;
    };
  }
}
