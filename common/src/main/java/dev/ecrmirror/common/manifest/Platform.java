package dev.ecrmirror.common.manifest;

import java.util.Locale;

/**
 * An {@code os/architecture[/variant]} platform, as index entries describe and users select them.
 *
 * @param os the operating system, e.g. {@code linux}
 * @param architecture the CPU architecture, e.g. {@code arm64}
 * @param variant the CPU variant, e.g. {@code v8}, or empty when none
 */
public record Platform(String os, String architecture, String variant) {

  /** Parses {@code os/arch[/variant]}; throws {@link IllegalArgumentException} naming the input. */
  public static Platform parse(String value) {
    String[] parts = value.trim().toLowerCase(Locale.ROOT).split("/", -1);
    if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()
        || (parts.length == 3 && parts[2].isEmpty())) {
      throw new IllegalArgumentException("invalid platform '" + value + "': expected os/arch[/variant], e.g. linux/arm64/v8");
    }
    return new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : "");
  }

  /**
   * True when an index entry's platform satisfies this selection. A selection without a variant
   * takes every variant; {@code arm64} and {@code arm64/v8} are treated alike, as the Docker CLI does.
   */
  public boolean selects(Platform entry) {
    if (!os.equals(entry.os) || !architecture.equals(entry.architecture)) {
      return false;
    }
    if (variant.isEmpty()) {
      return true;
    }
    String entryVariant = entry.variant.isEmpty() && architecture.equals("arm64") ? "v8" : entry.variant;
    return variant.equals(entryVariant);
  }

  @Override
  public String toString() {
    return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
  }
}
