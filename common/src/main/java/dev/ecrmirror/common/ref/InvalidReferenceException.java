package dev.ecrmirror.common.ref;

/** Thrown when a string is not a valid image reference or digest; the message names the input and the problem. */
public final class InvalidReferenceException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String input;
  private final String problem;

  public InvalidReferenceException(String input, String problem) {
    super("invalid image reference '" + input + "': " + problem);
    this.input = input;
    this.problem = problem;
  }

  /** What is wrong with the input, without the input itself. */
  public String problem() {
    return problem;
  }

  /** The string that could not be parsed, as the user gave it. */
  public String input() {
    return input;
  }
}
