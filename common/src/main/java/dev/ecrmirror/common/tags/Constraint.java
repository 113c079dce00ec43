package dev.ecrmirror.common.tags;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A version constraint in hashicorp/go-version's syntax ({@code ~> 2.0}, {@code >= v3.0, < v5.0}),
 * plus the operators {@code -ge -gt -le -lt -eq -ne}, which an AWS resource tag value can hold where
 * {@code > < ! ~} cannot. Comma-separated checks must all hold.
 */
public final class Constraint {
  /** Each operator, spelled as users write it, mapped to its check of (version, constraint version). */
  private static final Map<String, BiPredicate<Version, Check>> OPERATORS = new LinkedHashMap<>();

  static {
    OPERATORS.put("=", (v, c) -> v.compareTo(c.version) == 0);
    OPERATORS.put("!=", (v, c) -> v.compareTo(c.version) != 0);
    OPERATORS.put(">", (v, c) -> v.compareTo(c.version) > 0);
    OPERATORS.put("<", (v, c) -> v.compareTo(c.version) < 0);
    OPERATORS.put(">=", (v, c) -> v.compareTo(c.version) >= 0);
    OPERATORS.put("<=", (v, c) -> v.compareTo(c.version) <= 0);
    OPERATORS.put("~>", Constraint::pessimistic);
    OPERATORS.put("-eq", OPERATORS.get("="));
    OPERATORS.put("-ne", OPERATORS.get("!="));
    OPERATORS.put("-gt", OPERATORS.get(">"));
    OPERATORS.put("-lt", OPERATORS.get("<"));
    OPERATORS.put("-ge", OPERATORS.get(">="));
    OPERATORS.put("-le", OPERATORS.get("<="));
  }

  /** An operator (symbols, or a dash and letters), then the version. No operator means {@code =}. */
  private static final Pattern CHECK = Pattern.compile("\\s*([=!<>~]+|-[A-Za-z]+)?\\s*(\\S*)\\s*");

  private final String text;
  private final List<Check> checks;

  private Constraint(String text, List<Check> checks) {
    this.text = text;
    this.checks = checks;
  }

  /** One operator and its version, e.g. {@code >= v3.0}. */
  private record Check(String operator, Version version, BiPredicate<Version, Check> test) {
    boolean matches(Version v) {
      return prereleaseAllowed(v, version) && test.test(v, this);
    }
  }

  /**
   * Parses a constraint; throws {@link IllegalArgumentException} whose message says what is wrong
   * (the caller names the rule and quotes the whole constraint).
   */
  public static Constraint parse(String text) {
    if (text.isBlank()) {
      throw new IllegalArgumentException("empty; write a check such as '>= 1.25' or '~> 2.0'");
    }
    String[] clauses = text.split(",", -1);
    List<Check> checks = new ArrayList<>();
    for (int i = 0; i < clauses.length; i++) {
      checks.add(parseCheck(clauses[i], i + 1, clauses.length));
    }
    return new Constraint(text, List.copyOf(checks));
  }

  private static Check parseCheck(String clause, int position, int count) {
    if (clause.isBlank()) {
      throw new IllegalArgumentException(count == 1 ? "empty" : "check " + position + " of " + count + " is empty");
    }
    Matcher m = CHECK.matcher(clause);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + clause.strip() + "' is not an operator and a version");
    }
    // The dash operators in any case: AWS tag values are often typed by hand (-GE as well as -ge).
    String operator = m.group(1) == null ? "=" : m.group(1).toLowerCase(Locale.ROOT);
    BiPredicate<Version, Check> test = OPERATORS.get(operator);
    if (test == null) {
      String hint = operator.equals("=>") ? " (did you mean '>='?)" : operator.equals("=<") ? " (did you mean '<='?)" : "";
      throw new IllegalArgumentException("unknown operator '" + operator + "'" + hint + "; use one of "
          + String.join(" ", OPERATORS.keySet()));
    }
    if (m.group(2).isEmpty()) {
      throw new IllegalArgumentException("'" + operator + "' needs a version after it");
    }
    return new Check(operator, Version.parse(m.group(2)), test);
  }

  /** True when the version meets every check. */
  public boolean matches(Version version) {
    for (Check check : checks) {
      if (!check.matches(version)) {
        return false;
      }
    }
    return true;
  }

  /** True when a check names a pre-release, e.g. {@code >= 2.0.0-rc.1}. */
  public boolean namesPrerelease() {
    return checks.stream().anyMatch(c -> c.version.isPrerelease());
  }

  /** The constraint as written. */
  public String text() {
    return text;
  }

  @Override
  public String toString() {
    return text;
  }

  /**
   * go-version's pre-release rule: a constraint without a pre-release never matches a pre-release;
   * one with a pre-release matches pre-releases of the same numeric parts only (and every release).
   */
  private static boolean prereleaseAllowed(Version v, Version c) {
    if (!v.isPrerelease()) {
      return true;
    }
    return c.isPrerelease() && sameParts(v, c);
  }

  private static boolean sameParts(Version v, Version c) {
    int n = Math.max(v.partCount(), c.partCount());
    for (int i = 0; i < n; i++) {
      if (!v.part(i).equals(c.part(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code ~>}: at least the version given, and the same in every part written but the last:
   * {@code ~> 2.0} is {@code >= 2.0, < 3.0} and {@code ~> 1.2.3} is {@code >= 1.2.3, < 1.3.0}. A single
   * part fixes itself: {@code ~> 2} is {@code >= 2, < 3} (go-version would allow 3 and up there, which no
   * one writing {@code ~>} means). As in go-version, a pessimistic check with a pre-release matches only
   * pre-releases, and one without only releases.
   */
  private static boolean pessimistic(Version v, Check check) {
    Version c = check.version;
    if (c.isPrerelease() != v.isPrerelease() || v.compareTo(c) < 0) {
      return false;
    }
    int fixed = Math.max(1, c.partCount() - 1);
    for (int i = 0; i < fixed; i++) {
      BigInteger part = v.part(i);
      if (!part.equals(c.part(i))) {
        return false;
      }
    }
    return true;
  }
}
