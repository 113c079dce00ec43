package dev.ecrmirror.common;

import java.util.Objects;

/**
 * Why one destination (or tag) failed, and what that means for the next attempt.
 *
 * @param kind what the failure means for the next attempt
 * @param message one line: what failed, where, and what to do
 */
public record Failure(FailureKind kind, String message) {
  public Failure {
    Objects.requireNonNull(kind, "kind");
    message = message == null || message.isBlank() ? "failed (no cause recorded)" : message;
  }

  /** The failure an exception stands for: its one-line description and its kind. */
  public static Failure of(Throwable e) {
    return new Failure(Failures.kind(e), Failures.describe(e));
  }

  /** A transient failure with this message. */
  public static Failure transientFailure(String message) {
    return new Failure(FailureKind.TRANSIENT, message);
  }

  @Override
  public String toString() {
    return message;
  }
}
