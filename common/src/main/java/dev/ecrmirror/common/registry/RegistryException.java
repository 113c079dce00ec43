package dev.ecrmirror.common.registry;

/**
 * A registry operation that failed: says what was being attempted, on which reference, the HTTP
 * status (0 when the registry could not be reached) and the registry's error code, if it sent one.
 *
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes">error codes</a>
 */
public final class RegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  public RegistryException(String action, int status, String code, String detail, Throwable cause) {
    super(action + " failed: " + describe(status, code, detail), cause);
    this.status = status;
    this.code = code == null ? "" : code;
  }

  public RegistryException(String action, int status, String code, String detail) {
    this(action, status, code, detail, null);
  }

  private static String describe(int status, String code, String detail) {
    StringBuilder out = new StringBuilder();
    if (status > 0) {
      out.append("HTTP ").append(status);
    }
    if (code != null && !code.isEmpty()) {
      out.append(out.isEmpty() ? "" : " ").append(code);
    }
    if (detail != null && !detail.isEmpty()) {
      out.append(out.isEmpty() ? "" : ": ").append(detail);
    }
    return out.toString();
  }

  /** The HTTP status, or 0 when no response came back (connection refused, reset, timeout). */
  public int status() {
    return status;
  }

  /** The registry's error code, such as {@code MANIFEST_UNKNOWN} or {@code DENIED}; empty if none. */
  public String code() {
    return code;
  }

  /** True for failures that may pass on a second try: no response, 408, 429 and 5xx. */
  public boolean isRetryable() {
    return status == 0 || status == 408 || status == 429 || status >= 500;
  }

  /** True when the registry answered that the thing does not exist. */
  public boolean isNotFound() {
    return status == 404;
  }
}
