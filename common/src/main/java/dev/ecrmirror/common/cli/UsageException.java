package dev.ecrmirror.common.cli;

/**
 * Bad input from the user, found after picocli parsed the arguments: printed on one line naming
 * the input and what is wrong, exit code {@link ExitCodes#USAGE}.
 */
public class UsageException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
