package dev.ecrmirror.common;

/**
 * Turns an exception into the one line recorded for a failed destination or row. An exception
 * without a message (a bare {@code NullPointerException}, say) still yields text, so a failure can
 * never be recorded as "no error", which readers of a result take to mean success.
 */
public final class Failures {
  private Failures() {}

  /**
   * The exception's message; when it has none, the first message among its causes, prefixed with the
   * exception's simple class name; when none has one, the class name alone. Never null or blank.
   */
  public static String describe(Throwable e) {
    if (e == null) {
      return "failed (no cause recorded)";
    }
    String own = e.getMessage();
    if (own != null && !own.isBlank()) {
      return own;
    }
    String name = e.getClass().getSimpleName().isEmpty() ? e.getClass().getName() : e.getClass().getSimpleName();
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c.getMessage() != null && !c.getMessage().isBlank()) {
        return name + ": " + c.getMessage();
      }
    }
    return name;
  }
}
