package dev.ecrmirror.cdk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.constructs.Node;

/**
 * What the jobs do at their destinations, from context: {@code repositorySettings} (the settings of
 * ECR repositories the worker creates, its {@code --repository-settings} JSON, which a row's
 * {@code RepositorySettings} lie over) and {@code assumeRoles} (account to role ARN, the roles both
 * jobs assume to reach other accounts' registries; the job roles may assume exactly those).
 *
 * @param repositorySettings compact JSON, empty for none
 * @param assumeRoles account to role ARN
 */
record DestinationSettings(String repositorySettings, Map<String, String> assumeRoles) {
  static final String ENV_REPOSITORY_SETTINGS = "ECR_MIRROR_REPOSITORY_SETTINGS";
  static final String ENV_ASSUME_ROLES = "ECR_MIRROR_ASSUME_ROLES";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> FIELDS = Set.of("mode", "scanOnPush", "tagMutability", "tagMutabilityExclusions",
      "encryption", "kmsKey", "lifecyclePolicy", "tags");
  private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
  private static final Pattern ROLE_ARN = Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}");

  DestinationSettings {
    assumeRoles = Map.copyOf(assumeRoles);
  }

  /** Reads and checks both keys; a bad value is an {@link IllegalArgumentException} naming the key. */
  static DestinationSettings fromContext(Node node) {
    return new DestinationSettings(settings(node.tryGetContext("repositorySettings")),
        roles(node.tryGetContext("assumeRoles")));
  }

  private static String settings(Object value) {
    if (value == null || value.toString().isBlank()) {
      return "";
    }
    JsonNode tree;
    try {
      tree = value instanceof String s ? JSON.readTree(s) : JSON.valueToTree(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("context repositorySettings must be a JSON object, e.g. "
          + "{\"scanOnPush\":true}: " + e.getOriginalMessage());
    }
    if (!tree.isObject()) {
      throw new IllegalArgumentException("context repositorySettings must be a JSON object, e.g. {\"scanOnPush\":true}");
    }
    for (Iterator<String> names = tree.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new IllegalArgumentException("context repositorySettings: unknown setting '" + name + "': use "
            + String.join(", ", FIELDS.stream().sorted().toList()));
      }
    }
    // The worker checks each value when a job starts; the deploy checks the shape.
    return tree.isEmpty() ? "" : tree.toString();
  }

  private static Map<String, String> roles(Object value) {
    Map<String, String> out = new LinkedHashMap<>();
    if (value == null || value.toString().isBlank()) {
      return out;
    }
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
    } else {
      for (String item : value.toString().split(",")) {
        int eq = item.indexOf('=');
        if (!item.isBlank()) {
          out.put(eq < 0 ? item.trim() : item.substring(0, eq).trim(), eq < 0 ? "" : item.substring(eq + 1).trim());
        }
      }
    }
    out.forEach((account, arn) -> {
      if (!ACCOUNT.matcher(account).matches() || !ROLE_ARN.matcher(arn).matches()) {
        throw new IllegalArgumentException("context assumeRoles: '" + account + "=" + arn + "' must be ACCOUNT=ROLE_ARN "
            + "(a map {\"210987654321\":\"arn:aws:iam::210987654321:role/ecr-mirror-push\"} or ACCOUNT=ROLE_ARN,...)");
      }
    });
    return out;
  }

  /** The worker's environment: its default repository settings and roles. */
  Map<String, String> workerEnvironment() {
    Map<String, String> env = new LinkedHashMap<>(controllerEnvironment());
    if (!repositorySettings.isEmpty()) {
      env.put(ENV_REPOSITORY_SETTINGS, repositorySettings);
    }
    return env;
  }

  /** The controller's environment: the roles (its digest checks read other accounts' ECR too). */
  Map<String, String> controllerEnvironment() {
    if (assumeRoles.isEmpty()) {
      return Map.of();
    }
    StringBuilder joined = new StringBuilder();
    assumeRoles.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> joined.append(joined.length() == 0 ? "" : ",").append(e.getKey()).append('=').append(e.getValue()));
    return Map.of(ENV_ASSUME_ROLES, joined.toString());
  }

  /** Lets {@code role} assume exactly the configured roles, nothing else. */
  void grantAssumeRoles(Role role) {
    if (assumeRoles.isEmpty()) {
      return;
    }
    role.addToPolicy(PolicyStatement.Builder.create()
        .sid("AssumeDestinationAccountRoles")
        .actions(List.of("sts:AssumeRole"))
        .resources(assumeRoles.values().stream().sorted().distinct().toList())
        .build());
  }

  /** The KMS key the default settings name: creating a repository encrypted with it needs grants on it. */
  Optional<String> kmsKey() {
    if (repositorySettings.isEmpty()) {
      return Optional.empty();
    }
    try {
      JsonNode key = JSON.readTree(repositorySettings).get("kmsKey");
      return key == null || key.isNull() ? Optional.empty() : Optional.of(key.asText());
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }
}
