package dev.ecrmirror.common.aws;

import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Turns AWS SDK failures a user can fix into one line that says how. The SDK's message for an
 * empty credential chain lists every provider it tried and why each failed, about 1,500
 * characters; what the user needs is where credentials come from.
 */
public final class AwsErrors {
  /** How to give the process credentials, for a message that says they are missing. */
  public static final String CONFIGURE_CREDENTIALS =
      "set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run 'aws configure'";

  private AwsErrors() {}

  /** True when {@code e}, or a cause of it, is the SDK finding no credentials in its chain. */
  public static boolean missingCredentials(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SdkClientException && t.getMessage() != null
          && t.getMessage().startsWith("Unable to load credentials from any of the providers")) {
        return true;
      }
    }
    return false;
  }

  /** {@code no AWS credentials to <what>: <how to set them>}. */
  public static String noCredentials(String what) {
    return "no AWS credentials to " + what + ": " + CONFIGURE_CREDENTIALS;
  }

  /** The message to show for {@code e}: the short one when credentials are missing, else the SDK's. */
  public static String message(Throwable e, String what) {
    return missingCredentials(e) ? noCredentials(what) : String.valueOf(e.getMessage());
  }
}
