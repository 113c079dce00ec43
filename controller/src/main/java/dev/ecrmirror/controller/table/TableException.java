package dev.ecrmirror.controller.table;

/** A mirror-table operation that failed; the message names the table, the operation and why. */
public final class TableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TableException(String message, Throwable cause) {
    super(message, cause);
  }

  public TableException(String message) {
    super(message);
  }
}
