package dev.ecrmirror.common;

import dev.ecrmirror.common.registry.RateLimitedException;
import dev.ecrmirror.common.registry.RegistryException;
import java.util.Locale;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

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

  /**
   * What a failure means for the next attempt, from the first cause that says: a spent rate budget
   * (or a 429 that outlived its retries) waits for a later run; an immutable tag holding another
   * digest is a conflict; access refused (401, 403, {@code DENIED}; an AWS call refused with
   * {@code AccessDenied…}, creating an ECR repository say) and a missing image or repository (404)
   * are permanent; anything else, a missing response and 5xx included, is transient.
   */
  public static FailureKind kind(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof RateLimitedException) {
        return FailureKind.RATE_LIMITED;
      }
      if (c instanceof RegistryException r) {
        return kind(r);
      }
      if (c instanceof AwsServiceException a) {
        return kind(a);
      }
    }
    return FailureKind.TRANSIENT;
  }

  private static FailureKind kind(AwsServiceException e) {
    // ECR answers a missing IAM permission with HTTP 400 AccessDeniedException; other services use 403.
    String code = e.awsErrorDetails() == null ? "" : String.valueOf(e.awsErrorDetails().errorCode());
    if (e.statusCode() == 403 || code.startsWith("AccessDenied") || code.equals("UnrecognizedClientException")) {
      return FailureKind.PERMANENT;
    }
    return FailureKind.TRANSIENT;
  }

  private static FailureKind kind(RegistryException e) {
    String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    if (e.status() == 429) {
      return FailureKind.RATE_LIMITED;
    }
    if ((e.code().equals("TAG_INVALID") || e.status() == 400) && message.contains("immutable")) {
      return FailureKind.CONFLICT;
    }
    if (e.status() == 401 || e.status() == 403 || e.status() == 404 || e.code().equals("DENIED")
        || e.code().equals("UNAUTHORIZED")) {
      return FailureKind.PERMANENT;
    }
    return FailureKind.TRANSIENT;
  }
}
