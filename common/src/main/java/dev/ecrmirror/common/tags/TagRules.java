package dev.ecrmirror.common.tags;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Compiled tag rules: which tags of a source repository a repository row mirrors. Shared by the
 * worker and the controller, so both select exactly the same tags.
 */
public final class TagRules {
  /** The referrers fallback tag and cosign's signature, attestation and SBOM tags. */
  private static final Pattern REFERENCE_TAG = Pattern.compile("sha256-[0-9a-f]{64}(\\.(sig|att|sbom))?");

  private final RuleSpec spec;

  private TagRules(RuleSpec spec) {
    this.spec = spec;
  }

  /** Checks and compiles the rules; throws {@link IllegalArgumentException} naming the rule and the problem. */
  public static TagRules of(RuleSpec spec) {
    spec.maxResults().ifPresent(n -> {
      if (n <= 0) {
        throw new IllegalArgumentException("MaxResults must be 1 or more, not " + n);
      }
    });
    return new TagRules(spec);
  }

  public RuleSpec spec() {
    return spec;
  }

  /**
   * The tags these rules select from a repository's listing, in a deterministic order. Tags that
   * refer to another image ({@link #refersToImage}) are never selected.
   */
  public List<String> select(Collection<String> tags) {
    List<String> out = new ArrayList<>();
    for (String tag : tags) {
      if (!refersToImage(tag) && (spec.tags().isEmpty() || spec.tags().contains(tag))
          && !spec.excludeTags().contains(tag)) {
        out.add(tag);
      }
    }
    out.sort(null);
    return out;
  }

  /** True for {@code sha256-<hex>} and cosign's {@code sha256-<hex>.sig/.att/.sbom}: they belong to another image. */
  public static boolean refersToImage(String tag) {
    return REFERENCE_TAG.matcher(tag).matches();
  }
}
