package dev.ecrmirror.controller.cli;

/** Bad input from the user: printed on one line, exit code 2. */
final class UsageException extends dev.ecrmirror.common.cli.UsageException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
