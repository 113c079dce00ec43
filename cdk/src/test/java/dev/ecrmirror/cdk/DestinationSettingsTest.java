package dev.ecrmirror.cdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * The context keys {@code repositorySettings} and {@code assumeRoles}: the worker's environment
 * defaults, the controller's roles, and {@code sts:AssumeRole} on exactly the roles named.
 */
class DestinationSettingsTest {
  private static final String ROLE_A = "arn:aws:iam::210987654321:role/ecr-mirror-push";
  private static final String ROLE_B = "arn:aws:iam::111122223333:role/ecr-mirror-pull";
  private static final String KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd";

  private static Template template() {
    return Stacks.template(Map.of(
        "assumeRoles", Map.of("210987654321", ROLE_A, "111122223333", ROLE_B),
        "repositorySettings", Map.of("scanOnPush", true, "encryption", "KMS", "kmsKey", KEY)));
  }

  private static Object env(String name, Object value) {
    return Match.arrayWith(List.of(Map.of("Name", name, "Value", value)));
  }

  @Test
  void theWorkerGetsTheDefaultsAndRolesAndTheControllerTheRoles() {
    Template template = template();
    String roles = "111122223333=" + ROLE_B + ",210987654321=" + ROLE_A;

    // Environment order is not fixed: each variable is looked for on its own.
    template.hasResourceProperties("AWS::Batch::JobDefinition", Map.of("ContainerProperties", Match.objectLike(Map.of(
        "Command", WorkerJob.COMMAND,
        "Environment", env("ECR_MIRROR_REPOSITORY_SETTINGS", Match.stringLikeRegexp(".*\"kmsKey\":\"" + KEY + "\".*"))))));
    template.hasResourceProperties("AWS::Batch::JobDefinition", Map.of("ContainerProperties", Match.objectLike(Map.of(
        "Command", WorkerJob.COMMAND,
        "Environment", env("ECR_MIRROR_ASSUME_ROLES", roles)))));
    template.hasResourceProperties("AWS::Batch::JobDefinition", Map.of("ContainerProperties", Match.objectLike(Map.of(
        "Command", List.of("sync"),
        "Environment", env("ECR_MIRROR_ASSUME_ROLES", roles)))));
  }

  @Test
  void bothJobRolesMayAssumeExactlyTheNamedRoles() {
    Template template = template();
    for (String prefix : List.of("WorkerJobRole", "ControllerJobRole")) {
      List<Map<String, Object>> assume = Stacks.statements(template, prefix).stream()
          .filter(s -> Stacks.actions(s).contains("sts:AssumeRole")).toList();
      assertThat(assume).as(prefix).singleElement()
          .satisfies(s -> assertThat(Stacks.resources(s)).containsExactlyInAnyOrder(ROLE_A, ROLE_B));
    }
    // Creating a repository encrypted with the default key needs grants on that key alone.
    List<Map<String, Object>> kms = Stacks.statements(template, "WorkerJobRole").stream()
        .filter(s -> Stacks.actions(s).contains("kms:CreateGrant")).toList();
    assertThat(kms).singleElement().satisfies(s -> assertThat(Stacks.resources(s)).containsExactly(KEY));
  }

  @Test
  void withoutTheKeysNoRoleMayBeAssumedAndNoDefaultsAreSet() {
    Template template = Stacks.template();
    for (String prefix : List.of("WorkerJobRole", "ControllerJobRole")) {
      assertThat(Stacks.statements(template, prefix)).as(prefix)
          .noneMatch(s -> Stacks.actions(s).contains("sts:AssumeRole") || Stacks.actions(s).contains("kms:CreateGrant"));
    }
    template.hasResourceProperties("AWS::Batch::JobDefinition", Map.of("ContainerProperties", Match.objectLike(Map.of(
        "Command", WorkerJob.COMMAND,
        "Environment", Match.not(env("ECR_MIRROR_REPOSITORY_SETTINGS", Match.anyValue()))))));
  }

  @Test
  void badValuesStopTheSynthNamingTheKey() {
    assertThatThrownBy(() -> Stacks.template(Map.of("assumeRoles", "210987654321")))
        .hasMessageContaining("context assumeRoles: '210987654321=' must be ACCOUNT=ROLE_ARN");
    assertThatThrownBy(() -> Stacks.template(Map.of("repositorySettings", "{\"scan\":true}")))
        .hasMessageContaining("context repositorySettings: unknown setting 'scan'");
    assertThatThrownBy(() -> Stacks.template(Map.of("repositorySettings", "scanOnPush=true")))
        .hasMessageContaining("context repositorySettings must be a JSON object");
  }
}
