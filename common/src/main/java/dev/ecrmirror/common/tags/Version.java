package dev.ecrmirror.common.tags;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tag read as a version: numeric parts, an optional pre-release and build, ordered by precedence
 * the way semver orders them (https://semver.org/#spec-item-11), with any number of numeric parts.
 */
public final class Version implements Comparable<Version> {
  /** Dot-separated identifiers of {@code [0-9A-Za-z-]}. */
  private static final String IDENTIFIERS = "[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*";

  /**
   * Numeric parts, then {@code -prerelease} and {@code +build} made of dot-separated identifiers
   * ({@code [0-9A-Za-z-]}, as semver items 9 and 10 allow). A hyphen inside the pre-release is part of
   * an identifier, so {@code 1.2-debian-12-r0} has the one pre-release identifier {@code debian-12-r0}.
   * As in go-version, a pre-release that starts with a letter may follow the numbers directly: Python's
   * {@code 3.14.0a3} and {@code 3.13.0rc1} are pre-releases, not tags of some other kind.
   */
  private static final Pattern GRAMMAR = Pattern.compile("v?(\\d+(?:\\.\\d+)*)"
      + "(?:-(" + IDENTIFIERS + ")|([A-Za-z][0-9A-Za-z-]*(?:\\.[0-9A-Za-z-]+)*))?"
      + "(?:\\+(" + IDENTIFIERS + "))?");

  /**
   * What makes a tag a version, as lambda-ecr-image-sync decides: {@code v<digit>} or
   * {@code <digits>.}. Without it a bare number such as the date {@code 20261101} or node's {@code 20}
   * would be a version, and a date would sort above every real release.
   */
  private static final Pattern TAG_PREFIX = Pattern.compile("v\\d|\\d+\\.");

  /** What a pre-release keyword may hold: it is compared with the parts of a pre-release. */
  private static final Pattern KEYWORD = Pattern.compile("[0-9A-Za-z.-]+");

  private final String text;
  private final String core;
  private final List<BigInteger> parts;
  private final String prerelease;
  private final String build;

  private Version(String text, String core, List<BigInteger> parts, String prerelease, String build) {
    this.text = text;
    this.core = core;
    this.parts = parts;
    this.prerelease = prerelease;
    this.build = build;
  }

  /**
   * The tag as a version, or empty when it is not one ({@code latest}, {@code nightly-2026-11-01},
   * {@code 20261101}, {@code 3.20-alpine_edge}).
   */
  public static Optional<Version> ofTag(String tag) {
    if (!TAG_PREFIX.matcher(tag).lookingAt()) {
      return Optional.empty();
    }
    return parseOrEmpty(tag);
  }

  /**
   * A version as a constraint writes it: like a tag, but a single number is allowed ({@code >= 20}).
   * Throws {@link IllegalArgumentException} saying what is wrong.
   */
  public static Version parse(String text) {
    return parseOrEmpty(text).orElseThrow(() -> new IllegalArgumentException(
        "'" + text + "' is not a version (expected numbers separated by dots, optionally with a leading v "
            + "and a -prerelease, e.g. 1.25, v3.0 or 2.0.0-rc.1)"));
  }

  private static Optional<Version> parseOrEmpty(String text) {
    Matcher m = GRAMMAR.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    List<BigInteger> parts = new ArrayList<>();
    for (String part : m.group(1).split("\\.")) {
      parts.add(new BigInteger(part));
    }
    String prerelease = m.group(2) != null ? m.group(2) : nullToEmpty(m.group(3));
    return Optional.of(new Version(text, text.substring(0, m.end(1)), List.copyOf(parts), prerelease,
        nullToEmpty(m.group(4))));
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  /** The text this version was read from, e.g. {@code v1.2.3-rc.1}. */
  public String text() {
    return text;
  }

  /** How many numeric parts were written: 2 for {@code 1.2}, 4 for {@code 1.2.3.4}. */
  public int partCount() {
    return parts.size();
  }

  /** The numeric part at {@code index}; a part not written counts as 0. */
  public BigInteger part(int index) {
    return index < parts.size() ? parts.get(index) : BigInteger.ZERO;
  }

  /** The pre-release after the numbers and their {@code -}, e.g. {@code debian-12-r0}; empty for a release. */
  public String prerelease() {
    return prerelease;
  }

  public boolean isPrerelease() {
    return !prerelease.isEmpty();
  }

  /** This version without its pre-release and build: {@code 1.3.0-debian-12} gives {@code 1.3.0}. */
  public Version core() {
    if (prerelease.isEmpty() && build.isEmpty()) {
      return this;
    }
    return new Version(core, core, parts, "", "");
  }

  /**
   * True when a part of the pre-release, split at {@code -} and {@code .}, starts with the keyword,
   * ignoring case: {@code debian} and {@code r} both match {@code 1.2-debian-12-r0}, {@code deb-12}
   * does not. A keyword that itself holds {@code -} or {@code .} matches across parts
   * ({@code debian-12} matches it too). A release has no keywords.
   */
  public boolean hasPrereleaseKeyword(String keyword) {
    for (int i = 0; i < prerelease.length(); i++) {
      boolean boundary = i == 0 || prerelease.charAt(i - 1) == '-' || prerelease.charAt(i - 1) == '.';
      if (boundary && prerelease.regionMatches(true, i, keyword, 0, keyword.length())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Checks a pre-release keyword as {@code IncludePrereleases} and {@code ExcludePrereleases} take it;
   * throws {@link IllegalArgumentException} saying what is wrong (the caller names the rule).
   */
  public static void checkKeyword(String keyword) {
    if (keyword.isEmpty()) {
      throw new IllegalArgumentException("empty keyword");
    }
    if (!KEYWORD.matcher(keyword).matches()) {
      throw new IllegalArgumentException("a keyword is letters, digits, '-' and '.' "
          + "(it matches the start of a part of the pre-release, ignoring case)");
    }
  }

  /** True when any of the keywords matches ({@link #hasPrereleaseKeyword}). */
  public boolean hasAnyPrereleaseKeyword(List<String> keywords) {
    return keywords.stream().anyMatch(this::hasPrereleaseKeyword);
  }

  /**
   * Precedence: numeric parts compared as numbers, a part not written counting as 0 ({@code 1.2} equals
   * {@code 1.2.0}); a pre-release before its release; pre-releases compared identifier by identifier
   * (semver item 11). The build never counts. Versions of equal precedence compare as 0.
   */
  @Override
  public int compareTo(Version other) {
    int n = Math.max(parts.size(), other.parts.size());
    for (int i = 0; i < n; i++) {
      int c = part(i).compareTo(other.part(i));
      if (c != 0) {
        return c;
      }
    }
    return comparePrereleases(prerelease, other.prerelease);
  }

  private static int comparePrereleases(String a, String b) {
    if (a.isEmpty() || b.isEmpty()) {
      // A release outranks any of its pre-releases (semver item 11.3).
      return Boolean.compare(a.isEmpty(), b.isEmpty());
    }
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      int c = compareIdentifiers(x[i], y[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.length, y.length);
  }

  private static int compareIdentifiers(String a, String b) {
    boolean numA = isNumeric(a);
    boolean numB = isNumeric(b);
    if (numA && numB) {
      return new BigInteger(a).compareTo(new BigInteger(b));
    }
    if (numA != numB) {
      // Numeric identifiers have lower precedence than alphanumeric ones (semver item 11.4.3).
      return numA ? -1 : 1;
    }
    return a.compareTo(b);
  }

  private static boolean isNumeric(String s) {
    return s.chars().allMatch(ch -> ch >= '0' && ch <= '9');
  }

  @Override
  public String toString() {
    return text;
  }
}
