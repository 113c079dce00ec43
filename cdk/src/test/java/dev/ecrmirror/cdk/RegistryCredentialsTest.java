package dev.ecrmirror.cdk;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class RegistryCredentialsTest {

  private static Template template;

  @BeforeAll
  static void synth() {
    template = Stacks.template();
  }

  @Test
  void secretStartsAsADockerConfigWithNoCredentials() {
    template.resourceCountIs("AWS::SecretsManager::Secret", 1);
    template.hasResourceProperties(
        "AWS::SecretsManager::Secret", Map.of("SecretString", "{\"auths\":{}}"));
  }

  @Test
  void everyJobGetsTheSecretAsEcrMirrorAuthJson() {
    String secretId = template.findResources("AWS::SecretsManager::Secret").keySet().iterator().next();
    template.resourcePropertiesCountIs(
        "AWS::Batch::JobDefinition",
        Map.of(
            "ContainerProperties",
            Match.objectLike(
                Map.of(
                    "Secrets",
                    List.of(Map.of("Name", "ECR_MIRROR_AUTH_JSON", "ValueFrom", Map.of("Ref", secretId)))))),
        3);
  }

  @Test
  void onlyExecutionRolesMayReadTheSecret() {
    template.resourcePropertiesCountIs(
        "AWS::IAM::Policy",
        Map.of(
            "PolicyName", Match.stringLikeRegexp(".*ExecutionRole.*"),
            "PolicyDocument",
            Map.of(
                "Statement",
                Match.arrayWith(
                    List.of(
                        Match.objectLike(
                            Map.of(
                                "Action",
                                List.of("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"))))))),
        2);
    template.resourcePropertiesCountIs(
        "AWS::IAM::Policy",
        Map.of(
            "PolicyName", Match.stringLikeRegexp(".*JobRole.*"),
            "PolicyDocument",
            Map.of(
                "Statement",
                Match.arrayWith(
                    List.of(
                        Match.objectLike(
                            Map.of("Action", Match.arrayWith(List.of("secretsmanager:GetSecretValue")))))))),
        0);
  }
}
