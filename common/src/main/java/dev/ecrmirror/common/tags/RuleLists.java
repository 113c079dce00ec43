package dev.ecrmirror.common.tags;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a comma-separated rule value ({@code 1.{24,25}.*, latest}) into its entries. A comma inside
 * {@code {...}} belongs to a glob's alternatives or a regex's repetition ({@code regex:\d{1,3}}), so
 * only commas outside braces separate entries.
 */
public final class RuleLists {
  private RuleLists() {}

  /**
   * The entries, each stripped of surrounding blanks. Throws {@link IllegalArgumentException} for an
   * empty entry ({@code a,,b}, a trailing comma): it is almost always a typo, and silently dropping it
   * could hide a missing tag.
   */
  public static List<String> split(String value) {
    List<String> entries = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i <= value.length(); i++) {
      char c = i < value.length() ? value.charAt(i) : ',';
      if (c == '{') {
        depth++;
      } else if (c == '}' && depth > 0) {
        depth--;
      } else if (c == ',' && (depth == 0 || i == value.length())) {
        String entry = value.substring(start, i).strip();
        if (entry.isEmpty()) {
          throw new IllegalArgumentException("empty entry (entry " + (entries.size() + 1) + " of '" + value + "')");
        }
        entries.add(entry);
        start = i + 1;
      }
    }
    return entries;
  }
}
