package dev.ecrmirror.controller.jobs;

/** A job could not be submitted or described; the message says which and why. */
public final class JobException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public JobException(String message, Throwable cause) {
    super(message, cause);
  }

  public JobException(String message) {
    super(message);
  }
}
