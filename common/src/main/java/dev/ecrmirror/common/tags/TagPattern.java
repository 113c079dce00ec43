package dev.ecrmirror.common.tags;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One entry of {@code Tags} or {@code ExcludeTags}: a literal tag, a glob ({@code *}, {@code **},
 * {@code ?}, {@code {a,b}}, {@code [abc]}) or {@code regex:PATTERN}, a Java regex that must match the
 * whole tag.
 */
public final class TagPattern {
  /** Marks a regex entry. */
  public static final String REGEX_PREFIX = "regex:";

  /**
   * A tag as the distribution spec defines it: {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}
   * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests).
   */
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

  /** The kinds of entry: what the text means. */
  public enum Kind { LITERAL, GLOB, REGEX }

  private final String text;
  private final Kind kind;
  private final Pattern regex;

  private TagPattern(String text, Kind kind, Pattern regex) {
    this.text = text;
    this.kind = kind;
    this.regex = regex;
  }

  /**
   * Reads one entry; throws {@link IllegalArgumentException} saying what is wrong (the caller names the
   * rule and quotes the entry).
   */
  public static TagPattern parse(String text) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException("empty pattern");
    }
    if (text.startsWith(REGEX_PREFIX)) {
      return new TagPattern(text, Kind.REGEX, compileRegex(text.substring(REGEX_PREFIX.length())));
    }
    if (isGlob(text)) {
      return new TagPattern(text, Kind.GLOB, Pattern.compile(Glob.toRegex(text)));
    }
    if (!TAG.matcher(text).matches()) {
      throw new IllegalArgumentException("not a tag: a tag is 1 to 128 letters, digits, '_', '.' or '-', "
          + "not starting with '.' or '-' (a pattern needs *, ?, {a,b} or [abc], or regex:)");
    }
    return new TagPattern(text, Kind.LITERAL, null);
  }

  private static boolean isGlob(String text) {
    return text.chars().anyMatch(c -> c == '*' || c == '?' || c == '{' || c == '[');
  }

  private static Pattern compileRegex(String regex) {
    if (regex.isEmpty()) {
      throw new IllegalArgumentException("empty regex");
    }
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      // getMessage() spans three lines (it draws a caret under the pattern); keep one.
      throw new IllegalArgumentException("bad regex: " + e.getDescription()
          + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""), e);
    }
  }

  /** True when the tag matches this entry (a literal only itself; a regex the whole tag). */
  public boolean matches(String tag) {
    return kind == Kind.LITERAL ? text.equals(tag) : regex.matcher(tag).matches();
  }

  /** True for a plain tag name: the tag rules keep a literal named in {@code Tags} whatever else they say. */
  public boolean isLiteral() {
    return kind == Kind.LITERAL;
  }

  public Kind kind() {
    return kind;
  }

  /** The entry as written. */
  public String text() {
    return text;
  }

  @Override
  public String toString() {
    return text;
  }
}
