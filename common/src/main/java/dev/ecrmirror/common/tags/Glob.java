package dev.ecrmirror.common.tags;

/**
 * Translates a tag glob into a Java regex: {@code *} any run of characters but {@code /}, {@code **}
 * any run, {@code ?} one character but {@code /}, {@code {a,b}} either alternative (not nested, an
 * alternative may be empty), {@code [abc]} / {@code [a-c]} / {@code [!abc]} one character of (or not
 * of) a set. The syntax of tf-ecr-sync's tag globs and of {@code java.nio.file.FileSystem#getPathMatcher}.
 */
final class Glob {
  private Glob() {}

  /** The regex for the glob; throws {@link IllegalArgumentException} naming the first syntax error. */
  static String toRegex(String glob) {
    StringBuilder re = new StringBuilder();
    boolean inBraces = false;
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      switch (c) {
        case '*' -> {
          if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
            re.append(".*");
            i++;
          } else {
            re.append("[^/]*");
          }
        }
        case '?' -> re.append("[^/]");
        case '{' -> {
          if (inBraces) {
            throw new IllegalArgumentException("'{' inside '{...}': alternatives cannot nest");
          }
          inBraces = true;
          re.append("(?:");
        }
        case '}' -> {
          if (!inBraces) {
            throw new IllegalArgumentException("'}' without a '{' before it");
          }
          inBraces = false;
          re.append(')');
        }
        case ',' -> {
          if (!inBraces) {
            throw new IllegalArgumentException("',' outside '{...}': a tag cannot hold a comma");
          }
          re.append('|');
        }
        case '[' -> i = characterClass(glob, i, re);
        default -> re.append(literal(c));
      }
    }
    if (inBraces) {
      throw new IllegalArgumentException("'{' is never closed with '}'");
    }
    return re.toString();
  }

  /** Appends the class that opens at {@code open}; returns the index of its closing {@code ]}. */
  private static int characterClass(String glob, int open, StringBuilder re) {
    int close = glob.indexOf(']', open + 1);
    if (close < 0) {
      throw new IllegalArgumentException("'[' is never closed with ']'");
    }
    String body = glob.substring(open + 1, close);
    boolean negated = body.startsWith("!");
    if (negated) {
      body = body.substring(1);
    }
    if (body.isEmpty()) {
      throw new IllegalArgumentException("'[" + (negated ? "!" : "") + "]' is an empty set of characters");
    }
    re.append(negated ? "[^/" : "[");
    for (int j = 0; j < body.length(); j++) {
      char c = body.charAt(j);
      boolean range = c == '-' && j > 0 && j < body.length() - 1;
      re.append(range ? "-" : literal(c));
    }
    re.append(']');
    return close;
  }

  /** A character a tag may hold (letters, digits, {@code _ . -}), quoted for a regex; '/' for {@code **}'s sake. */
  private static String literal(char c) {
    if (Character.isLetterOrDigit(c) && c < 128 || c == '_') {
      return String.valueOf(c);
    }
    if (c == '.' || c == '-' || c == '/') {
      return "\\" + c;
    }
    throw new IllegalArgumentException("'" + c + "' cannot appear in a tag (letters, digits, '_', '.' and '-')");
  }
}
