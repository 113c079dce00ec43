package dev.ecrmirror.common.cli;

import java.util.ArrayList;
import java.util.List;

/** Splits the comma-separated lists users pass (destinations, platforms), refusing empty elements. */
public final class ArgumentLists {
  private ArgumentLists() {}

  /**
   * The trimmed elements of {@code value}, e.g. {@code a,b} → [a, b]. An empty element ({@code a,,b},
   * a leading or trailing comma) is an error rather than skipped: it is usually a variable that
   * expanded to nothing, and copying to fewer destinations than meant should not pass silently.
   *
   * @param argument how the help names the argument, e.g. {@code DEST} or {@code --platform}
   * @throws UsageException naming the argument and its value
   */
  public static List<String> split(String argument, String value) {
    List<String> elements = new ArrayList<>();
    for (String part : value.split(",", -1)) {
      String element = part.strip();
      if (element.isEmpty()) {
        throw new UsageException(argument + " '" + value + "' has an empty element: remove the doubled, leading or trailing comma");
      }
      elements.add(element);
    }
    return elements;
  }

  /** {@link #split} applied to each value, flattened in order. */
  public static List<String> splitAll(String argument, List<String> values) {
    List<String> elements = new ArrayList<>();
    for (String value : values) {
      elements.addAll(split(argument, value));
    }
    return elements;
  }
}
