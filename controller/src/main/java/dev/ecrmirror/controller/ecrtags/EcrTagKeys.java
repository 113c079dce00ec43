package dev.ecrmirror.controller.ecrtags;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ECR repository tag keys that configure mirroring, as the two tools they come from name
 * them: lambda-ecr-image-sync ({@code ecr_sync_*}) and ecr-mirror-sync ({@code upstream-image},
 * {@code upstream-tags}). Each can be renamed, for accounts that already use other keys.
 *
 * @param source the upstream repository, e.g. {@code docker.io/bitnami/external-dns}
 * @param constraint a version constraint, e.g. {@code -ge v1.1.1}
 * @param includeTags comma-separated tag patterns to select
 * @param excludeTags comma-separated tag patterns to remove
 * @param includeRls comma-separated pre-release keywords a constraint lets through
 * @param excludeRls comma-separated pre-release keywords to remove
 * @param releaseOnly {@code true} to keep only tags without a pre-release
 * @param maxResults keep the newest N versions
 * @param opt when present, the repository takes part only if its value is {@code in}
 * @param upstreamImage ecr-mirror-sync's upstream repository
 * @param upstreamTags ecr-mirror-sync's {@code /}-separated tag list
 */
public record EcrTagKeys(String source, String constraint, String includeTags, String excludeTags,
    String includeRls, String excludeRls, String releaseOnly, String maxResults, String opt,
    String upstreamImage, String upstreamTags) {

  /** The keys both tools document. */
  public static EcrTagKeys defaults() {
    return new EcrTagKeys("ecr_sync_source", "ecr_sync_constraint", "ecr_sync_include_tags", "ecr_sync_exclude_tags",
        "ecr_sync_include_rls", "ecr_sync_exclude_rls", "ecr_sync_release_only", "ecr_sync_max_results", "ecr_sync_opt",
        "upstream-image", "upstream-tags");
  }

  /** Field name (as in {@link #byField}) to key. */
  public Map<String, String> byField() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("source", source);
    out.put("constraint", constraint);
    out.put("include-tags", includeTags);
    out.put("exclude-tags", excludeTags);
    out.put("include-rls", includeRls);
    out.put("exclude-rls", excludeRls);
    out.put("release-only", releaseOnly);
    out.put("max-results", maxResults);
    out.put("opt", opt);
    out.put("upstream-image", upstreamImage);
    out.put("upstream-tags", upstreamTags);
    return out;
  }

  /**
   * These keys with one renamed, from {@code FIELD=KEY} (e.g. {@code source=mirror_source}); throws
   * {@link IllegalArgumentException} naming the setting when the field is unknown or the key empty.
   */
  public EcrTagKeys with(String setting) {
    int eq = setting.indexOf('=');
    String field = eq < 0 ? setting : setting.substring(0, eq).trim();
    String key = eq < 0 ? "" : setting.substring(eq + 1).trim();
    Map<String, String> keys = byField();
    if (!keys.containsKey(field)) {
      throw new IllegalArgumentException("'" + setting + "': unknown tag key field '" + field + "' (one of "
          + String.join(", ", keys.keySet()) + ")");
    }
    if (key.isEmpty()) {
      throw new IllegalArgumentException("'" + setting + "': expected FIELD=KEY with a non-empty KEY");
    }
    keys.put(field, key);
    return new EcrTagKeys(keys.get("source"), keys.get("constraint"), keys.get("include-tags"), keys.get("exclude-tags"),
        keys.get("include-rls"), keys.get("exclude-rls"), keys.get("release-only"), keys.get("max-results"),
        keys.get("opt"), keys.get("upstream-image"), keys.get("upstream-tags"));
  }
}
