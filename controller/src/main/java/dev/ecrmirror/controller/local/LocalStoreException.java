package dev.ecrmirror.controller.local;

/** Local mode cannot use its data directory; the message is one line naming the path and what to do. */
public final class LocalStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LocalStoreException(String message) {
    super(message);
  }
}
