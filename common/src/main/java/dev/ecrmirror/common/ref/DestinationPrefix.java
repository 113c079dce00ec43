package dev.ecrmirror.common.ref;

import java.util.Locale;

/**
 * A destination written as a registry plus repository prefix ending in {@code /}
 * ({@code 123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/}), which takes its repository path
 * from the source.
 *
 * <p>The rule: the prefix, then the source's registry, then the source's repository, so
 * {@code docker.io/library/nginx} lands at {@code mirror/docker.io/library/nginx} and images of two
 * registries with the same path never share a repository. The registry becomes one path component:
 * lowercase, a port joined with {@code -} ({@code 127.0.0.1:5000} → {@code 127.0.0.1-5000}). Without
 * the registry ({@code keepRegistry} false; {@code --no-prefix-keeps-registry},
 * {@code PrefixKeepsRegistry=false}) the same source lands at {@code mirror/library/nginx}. The tag
 * (or digest) is taken from the source as for any destination written without one.
 */
public final class DestinationPrefix {
  private DestinationPrefix() {}

  /** True when {@code written} is a prefix destination: it ends in {@code /}. */
  public static boolean isPrefix(String written) {
    return written.endsWith("/");
  }

  /**
   * The repository {@code written} names for {@code source}: {@code written} itself unless it is a
   * prefix, else the prefix followed by the source's path (see the class comment), with no tag.
   * Throws {@link InvalidReferenceException} when the result is not a valid reference.
   */
  public static String resolve(String written, ImageReference source, boolean keepRegistry) {
    if (!isPrefix(written)) {
      return written;
    }
    String path = (keepRegistry ? component(source.registry()) + "/" : "") + source.repository();
    String mapped = written + path;
    // Parsed here so a bad prefix is reported as the user wrote it, not as the derived name.
    try {
      ImageReference.parse(mapped);
    } catch (InvalidReferenceException e) {
      throw new InvalidReferenceException(written, "prefix gives '" + mapped + "' for source " + source.name()
          + ", which is not a valid reference: " + e.problem());
    }
    return mapped;
  }

  /** A registry as one repository path component: lowercase, brackets dropped, each ':' a '-'. */
  static String component(String registry) {
    String out = registry.toLowerCase(Locale.ROOT).replace("[", "").replace("]", "").replace(':', '-');
    // An IPv6 literal leaves runs of separators at the start; a component starts with a letter or digit.
    return out.replaceAll("^[-.]+", "").replaceAll("-{2,}", "-");
  }
}
