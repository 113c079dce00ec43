package dev.ecrmirror.worker;

import java.util.ArrayList;
import java.util.List;

/**
 * Which referrers (signatures, SBOMs, attestations) travel with a copied image: all of them (the
 * default), none ({@code --no-referrers}), or only them for an image already mirrored
 * ({@code --referrers-only}); narrowed by artifact type ({@code --referrers-type}).
 *
 * @param enabled whether referrers are copied at all
 * @param only copy the referrers of an image the destination already holds, and not the image
 * @param include artifact types to copy; empty means every type not excluded
 * @param exclude artifact types never to copy
 */
public record ReferrerPolicy(boolean enabled, boolean only, List<String> include, List<String> exclude) {
  /** Every referrer: the default. */
  public static final ReferrerPolicy ALL = new ReferrerPolicy(true, false, List.of(), List.of());
  /** No referrers: the image alone. */
  public static final ReferrerPolicy NONE = new ReferrerPolicy(false, false, List.of(), List.of());

  public ReferrerPolicy {
    include = List.copyOf(include);
    exclude = List.copyOf(exclude);
    if (only && !enabled) {
      throw new IllegalArgumentException("--referrers-only and --no-referrers contradict each other: drop one");
    }
  }

  /**
   * The policy the options give. Each {@code types} value is a media type to include, or one to
   * exclude after {@code !}, comma-separated; a trailing {@code *} matches any rest
   * ({@code application/vnd.dev.cosign.*}). Throws {@link IllegalArgumentException} naming a bad value.
   */
  public static ReferrerPolicy of(boolean enabled, boolean only, List<String> types) {
    List<String> include = new ArrayList<>();
    List<String> exclude = new ArrayList<>();
    for (String value : types) {
      for (String part : value.split(",")) {
        String type = part.trim();
        if (type.isEmpty()) {
          continue;
        }
        boolean negated = type.startsWith("!");
        String bare = negated ? type.substring(1).trim() : type;
        if (!bare.matches("[A-Za-z0-9][A-Za-z0-9!#$&.+^_-]*/([A-Za-z0-9!#$&.+^_-]*\\*?|\\*)")) {
          throw new IllegalArgumentException("--referrers-type '" + type + "' is not a media type such as "
              + "application/spdx+json (prefix ! to exclude one, end with * to match a prefix)");
        }
        (negated ? exclude : include).add(bare);
      }
    }
    if (!enabled && !(include.isEmpty() && exclude.isEmpty())) {
      throw new IllegalArgumentException("--referrers-type filters referrers, which --no-referrers turns off: drop one");
    }
    return new ReferrerPolicy(enabled, only, include, exclude);
  }

  /** True when a type filter is set, so a referrer's type must be known before it is copied. */
  public boolean filtering() {
    return !include.isEmpty() || !exclude.isEmpty();
  }

  /** Whether a referrer of this artifact type is copied. */
  public boolean wants(String artifactType) {
    if (!enabled) {
      return false;
    }
    if (exclude.stream().anyMatch(p -> matches(p, artifactType))) {
      return false;
    }
    return include.isEmpty() || include.stream().anyMatch(p -> matches(p, artifactType));
  }

  private static boolean matches(String pattern, String type) {
    return pattern.endsWith("*") ? type.startsWith(pattern.substring(0, pattern.length() - 1)) : pattern.equals(type);
  }
}
