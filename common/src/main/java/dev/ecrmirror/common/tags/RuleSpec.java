package dev.ecrmirror.common.tags;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A repository row's tag rules as the user wrote them (table attributes or CLI options), before
 * they are checked. {@link TagRules#of} checks and compiles them.
 *
 * @param tags {@code Tags}: patterns, any match selects; empty selects every tag
 * @param excludeTags {@code ExcludeTags}: patterns whose matches are removed
 * @param constraint {@code Constraint}: a version constraint, e.g. {@code >= 3.0, < 5.0}
 * @param includePrereleases {@code IncludePrereleases}: pre-release keywords a constraint lets through
 * @param excludePrereleases {@code ExcludePrereleases}: pre-release keywords to remove
 * @param releaseOnly {@code ReleaseOnly}: keep only tags without a pre-release
 * @param maxResults {@code MaxResults}: keep the newest N versions
 */
public record RuleSpec(List<String> tags, List<String> excludeTags, Optional<String> constraint,
    List<String> includePrereleases, List<String> excludePrereleases, boolean releaseOnly, OptionalInt maxResults) {

  public RuleSpec {
    tags = List.copyOf(tags);
    excludeTags = List.copyOf(excludeTags);
    includePrereleases = List.copyOf(includePrereleases);
    excludePrereleases = List.copyOf(excludePrereleases);
  }

  /** No rules: a single-tag row. */
  public static RuleSpec none() {
    return new RuleSpec(List.of(), List.of(), Optional.empty(), List.of(), List.of(), false, OptionalInt.empty());
  }

  /** True when no rule is set: the row (or worker run) is about one image, not a repository. */
  public boolean isEmpty() {
    return tags.isEmpty() && excludeTags.isEmpty() && constraint.isEmpty() && includePrereleases.isEmpty()
        && excludePrereleases.isEmpty() && !releaseOnly && maxResults.isEmpty();
  }

  /**
   * Splits a comma-separated rule value into its elements, trimming each. Commas inside braces,
   * brackets or parentheses belong to a pattern ({@code {a,b}}, {@code regex:[0-9]{1,3}}) and do not
   * split. An empty element ({@code a,,b}) is an error naming {@code what}.
   */
  public static List<String> splitList(String what, String value) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i <= value.length(); i++) {
      char c = i < value.length() ? value.charAt(i) : ',';
      if (c == '{' || c == '[' || c == '(') {
        depth++;
      } else if ((c == '}' || c == ']' || c == ')') && depth > 0) {
        depth--;
      } else if (c == ',' && (depth == 0 || i == value.length())) {
        String element = value.substring(start, i).trim();
        if (element.isEmpty()) {
          if (value.isBlank()) {
            return out;
          }
          throw new IllegalArgumentException(what + " '" + value + "' has an empty element");
        }
        out.add(element);
        start = i + 1;
      }
    }
    return out;
  }
}
