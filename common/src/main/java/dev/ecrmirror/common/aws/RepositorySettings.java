package dev.ecrmirror.common.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecrmirror.common.Json;
import dev.ecrmirror.common.auth.EcrCredentials;
import dev.ecrmirror.common.ref.ImageReference;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.regions.Region;

/**
 * The settings an ECR destination repository gets when the worker creates it, in one compact JSON
 * form shared by the worker's {@code --repository-settings}, its environment default, the CDK
 * context and the table's {@code RepositorySettings} attribute. A field left out is unset, so one
 * document can be laid over another ({@link #over}): a row's settings over the deployment's.
 *
 * @param mode {@code create} (a missing repository is created) or {@code refresh} (never created:
 *     a missing one fails that destination); null for unset, which means create
 * @param scanOnPush basic scanning of each pushed image; null for ECR's default (off)
 * @param tagMutability one of ECR's {@code ImageTagMutability} values; null for ECR's default (MUTABLE)
 * @param tagMutabilityExclusions wildcard filters of tags exempt from {@code tagMutability}; only
 *     with the {@code *_WITH_EXCLUSION} values, which need at least one
 * @param encryption {@code AES256}, {@code KMS} or {@code KMS_DSSE}; null for ECR's default (AES256)
 * @param kmsKey the KMS key ARN for {@code KMS}/{@code KMS_DSSE}, in the repository's region; null
 *     for the AWS managed key
 * @param lifecyclePolicy a lifecycle policy document (JSON, compact), put after the repository is created
 * @param tags repository tags
 * @see <a href="https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html">CreateRepository</a>
 */
public record RepositorySettings(String mode, Boolean scanOnPush, String tagMutability,
    List<String> tagMutabilityExclusions, String encryption, String kmsKey, String lifecyclePolicy,
    Map<String, String> tags) {
  /** The worker's default settings (the CDK context's {@code repositorySettings} lands here). */
  public static final String ENV = "ECR_MIRROR_REPOSITORY_SETTINGS";
  public static final String CREATE = "create";
  public static final String REFRESH = "refresh";

  private static final Set<String> MODES = Set.of(CREATE, REFRESH);
  private static final Set<String> MUTABILITIES =
      Set.of("MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION");
  private static final Set<String> ENCRYPTIONS = Set.of("AES256", "KMS", "KMS_DSSE");
  private static final Set<String> FIELDS = Set.of("mode", "scanOnPush", "tagMutability", "tagMutabilityExclusions",
      "encryption", "kmsKey", "lifecyclePolicy", "tags");
  /** ECR's wildcard exclusion filter: 1 to 128 of these characters, at most 5 filters. */
  private static final Pattern FILTER = Pattern.compile("[a-zA-Z0-9._*-]{1,128}");
  private static final Pattern KMS_ARN =
      Pattern.compile("arn:aws[a-z-]*:kms:([a-z0-9-]+):(\\d{12}):(key|alias)/[a-zA-Z0-9/_+=,.@-]+");

  public RepositorySettings {
    tagMutabilityExclusions = tagMutabilityExclusions == null ? List.of() : List.copyOf(tagMutabilityExclusions);
    tags = tags == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(tags));
  }

  /** No settings: ECR's defaults, repositories created. */
  public static RepositorySettings none() {
    return new RepositorySettings(null, null, null, List.of(), null, null, null, Map.of());
  }

  /** True when nothing is set. */
  public boolean isEmpty() {
    return equals(none());
  }

  /** True unless the mode is {@code refresh}. */
  public boolean creates() {
    return !REFRESH.equals(mode);
  }

  /** These settings, each unset field taken from {@code defaults}. */
  public RepositorySettings over(RepositorySettings defaults) {
    boolean ownMutability = tagMutability != null;
    return new RepositorySettings(
        mode != null ? mode : defaults.mode,
        scanOnPush != null ? scanOnPush : defaults.scanOnPush,
        ownMutability ? tagMutability : defaults.tagMutability,
        // Exclusions belong to their mutability: a row that names its own keeps its own filters.
        ownMutability ? tagMutabilityExclusions : defaults.tagMutabilityExclusions,
        encryption != null ? encryption : defaults.encryption,
        encryption != null ? kmsKey : defaults.kmsKey,
        lifecyclePolicy != null ? lifecyclePolicy : defaults.lifecyclePolicy,
        tags.isEmpty() ? defaults.tags : tags);
  }

  /**
   * Parses the JSON form; blank, {@code none} and {@code {}} are no settings. Throws
   * {@link IllegalArgumentException} with one line naming {@code origin} (the option, variable or
   * attribute) and the field at fault.
   */
  public static RepositorySettings parse(String origin, String json) {
    if (json == null || json.isBlank() || json.trim().equals("none")) {
      return none();
    }
    JsonNode root;
    try {
      root = Json.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(origin + " is not JSON: " + firstLine(e.getMessage())
          + " (expected e.g. {\"mode\":\"create\",\"scanOnPush\":true})");
    }
    return fromJson(origin, root);
  }

  /** The settings of a parsed JSON object (a DynamoDB map converted to JSON, say). */
  public static RepositorySettings fromJson(String origin, JsonNode root) {
    if (!root.isObject()) {
      throw new IllegalArgumentException(origin + " must be a JSON object, e.g. {\"mode\":\"refresh\"}");
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new IllegalArgumentException(origin + ": unknown setting '" + name + "': use "
            + String.join(", ", FIELDS.stream().sorted().toList()));
      }
    }
    String mode = word(origin, root, "mode", MODES, false);
    Boolean scan = null;
    if (present(root, "scanOnPush")) {
      JsonNode v = root.get("scanOnPush");
      if (!v.isBoolean() && !(v.isTextual() && Set.of("true", "false").contains(v.asText()))) {
        throw new IllegalArgumentException(origin + ": scanOnPush must be true or false, not " + v);
      }
      scan = v.asBoolean();
    }
    String mutability = word(origin, root, "tagMutability", MUTABILITIES, true);
    List<String> exclusions = new ArrayList<>();
    if (present(root, "tagMutabilityExclusions")) {
      JsonNode v = root.get("tagMutabilityExclusions");
      List<JsonNode> items = new ArrayList<>();
      if (v.isArray()) {
        v.forEach(items::add);
      } else if (v.isTextual()) {
        for (String part : v.asText().split(",")) {
          items.add(Json.mapper().getNodeFactory().textNode(part.trim()));
        }
      }
      for (JsonNode item : items) {
        if (!item.isTextual() || !FILTER.matcher(item.asText()).matches()) {
          throw new IllegalArgumentException(origin + ": tagMutabilityExclusions entry " + item
              + " is not a tag filter (1 to 128 of letters, digits, '.', '_', '-' and '*')");
        }
        exclusions.add(item.asText());
      }
      if (exclusions.size() > 5) {
        throw new IllegalArgumentException(origin + ": tagMutabilityExclusions has " + exclusions.size()
            + " filters; ECR takes at most 5");
      }
    }
    boolean withExclusion = mutability != null && mutability.endsWith("_WITH_EXCLUSION");
    if (withExclusion && exclusions.isEmpty()) {
      throw new IllegalArgumentException(origin + ": tagMutability " + mutability
          + " needs tagMutabilityExclusions, e.g. [\"dev*\",\"latest\"]");
    }
    if (!exclusions.isEmpty() && !withExclusion) {
      throw new IllegalArgumentException(origin + ": tagMutabilityExclusions need tagMutability "
          + "IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION, not " + mutability);
    }
    String encryption = word(origin, root, "encryption", ENCRYPTIONS, true);
    String kmsKey = present(root, "kmsKey") ? root.get("kmsKey").asText() : null;
    if (kmsKey != null) {
      if (encryption == null || !encryption.startsWith("KMS")) {
        throw new IllegalArgumentException(origin + ": kmsKey needs encryption KMS (or KMS_DSSE), not " + encryption);
      }
      if (!KMS_ARN.matcher(kmsKey).matches()) {
        throw new IllegalArgumentException(origin + ": kmsKey '" + kmsKey
            + "' is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)");
      }
    }
    String policy = null;
    if (present(root, "lifecyclePolicy")) {
      policy = lifecyclePolicy(origin, root.get("lifecyclePolicy"));
    }
    Map<String, String> tags = new LinkedHashMap<>();
    if (present(root, "tags")) {
      JsonNode v = root.get("tags");
      if (!v.isObject()) {
        throw new IllegalArgumentException(origin + ": tags must be an object of KEY: VALUE, e.g. {\"team\":\"platform\"}");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().isEmpty() || e.getKey().length() > 128 || !e.getValue().isValueNode()
            || e.getValue().isNull() || e.getValue().asText().length() > 256) {
          throw new IllegalArgumentException(origin + ": tag '" + e.getKey()
              + "' needs a key of 1 to 128 characters and a text value of at most 256");
        }
        tags.put(e.getKey(), e.getValue().asText());
      }
    }
    return new RepositorySettings(mode, scan, mutability, exclusions, encryption, kmsKey, policy, tags);
  }

  /** A lifecycle policy given as a JSON object or as the text of one, with a {@code rules} array. */
  private static String lifecyclePolicy(String origin, JsonNode v) {
    JsonNode policy = v;
    if (v.isTextual()) {
      try {
        policy = Json.readTree(v.asText());
      } catch (IOException e) {
        throw new IllegalArgumentException(origin + ": lifecyclePolicy is not JSON: " + firstLine(e.getMessage()));
      }
    }
    if (!policy.isObject() || !policy.path("rules").isArray()) {
      throw new IllegalArgumentException(origin + ": lifecyclePolicy must be a lifecycle policy document, "
          + "a JSON object with a \"rules\" array");
    }
    return policy.toString();
  }

  private static boolean present(JsonNode root, String field) {
    return root.has(field) && !root.get(field).isNull();
  }

  private static String word(String origin, JsonNode root, String field, Set<String> allowed, boolean upper) {
    if (!present(root, field)) {
      return null;
    }
    String value = root.get(field).asText().trim();
    String normal = upper ? value.toUpperCase(Locale.ROOT) : value.toLowerCase(Locale.ROOT);
    if (!allowed.contains(normal)) {
      throw new IllegalArgumentException(origin + ": unknown " + field + " '" + value + "': use one of "
          + String.join(", ", allowed.stream().sorted().toList()));
    }
    return normal;
  }

  private static String firstLine(String message) {
    String m = String.valueOf(message);
    int nl = m.indexOf('\n');
    return (nl < 0 ? m : m.substring(0, nl)).trim();
  }

  /**
   * Checks the settings against one destination: a KMS key must be in the repository's region (ECR
   * refuses another). Throws {@link IllegalArgumentException} naming both.
   */
  public void checkFor(ImageReference destination) {
    if (kmsKey == null) {
      return;
    }
    Optional<Region> region = EcrCredentials.regionOf(destination.registry());
    Matcher m = KMS_ARN.matcher(kmsKey);
    if (region.isPresent() && m.matches() && !m.group(1).equals(region.get().id())) {
      throw new IllegalArgumentException("repository settings: kmsKey " + kmsKey + " is in " + m.group(1)
          + ", but " + destination.name() + " is in " + region.get().id()
          + ": ECR needs a key in the repository's region");
    }
  }

  /** The compact JSON form, with only the fields that are set; {@code {}} for none. */
  public String toJson() {
    ObjectNode o = Json.mapper().createObjectNode();
    if (mode != null) {
      o.put("mode", mode);
    }
    if (scanOnPush != null) {
      o.put("scanOnPush", scanOnPush);
    }
    if (tagMutability != null) {
      o.put("tagMutability", tagMutability);
    }
    if (!tagMutabilityExclusions.isEmpty()) {
      tagMutabilityExclusions.forEach(o.putArray("tagMutabilityExclusions")::add);
    }
    if (encryption != null) {
      o.put("encryption", encryption);
    }
    if (kmsKey != null) {
      o.put("kmsKey", kmsKey);
    }
    if (lifecyclePolicy != null) {
      try {
        o.set("lifecyclePolicy", Json.readTree(lifecyclePolicy));
      } catch (IOException e) {
        throw new IllegalStateException("lifecycle policy checked at parse", e);
      }
    }
    if (!tags.isEmpty()) {
      ObjectNode t = o.putObject("tags");
      tags.forEach(t::put);
    }
    return o.toString();
  }
}
