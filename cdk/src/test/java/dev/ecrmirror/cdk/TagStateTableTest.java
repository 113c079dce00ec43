package dev.ecrmirror.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class TagStateTableTest {

  private static Template template;
  private static String tagTable;

  @BeforeAll
  static void synth() {
    template = Stacks.template();
    tagTable =
        template
            .findResources(
                "AWS::DynamoDB::Table",
                Map.of(
                    "Properties",
                    Map.of(
                        "KeySchema",
                        List.of(
                            Map.of("AttributeName", "Source", "KeyType", "HASH"),
                            Map.of("AttributeName", "Tag", "KeyType", "RANGE")))))
            .keySet()
            .iterator()
            .next();
  }

  @Test
  void keyedByRowAndTagOnDemandRecoverableEncryptedAndRetained() {
    template.hasResource(
        "AWS::DynamoDB::Table",
        Match.objectLike(
            Map.of(
                "Properties",
                Match.objectLike(
                    Map.of(
                        "KeySchema",
                        List.of(
                            Map.of("AttributeName", "Source", "KeyType", "HASH"),
                            Map.of("AttributeName", "Tag", "KeyType", "RANGE")),
                        "AttributeDefinitions",
                        List.of(
                            Map.of("AttributeName", "Source", "AttributeType", "S"),
                            Map.of("AttributeName", "Tag", "AttributeType", "S")),
                        "BillingMode", "PAY_PER_REQUEST",
                        "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true))),
                "DeletionPolicy", "Retain",
                "UpdateReplacePolicy", "Retain")));
  }

  @Test
  void isEncryptedLikeTheMirrorTable() {
    // Both at DynamoDB's default: encrypted at rest with an AWS owned key.
    assertThat(properties(tagTable).get("SSESpecification"))
        .isEqualTo(properties(Stacks.mirrorTable(template)).get("SSESpecification"));
  }

  private static Map<?, ?> properties(String logicalId) {
    Map<?, ?> resources = (Map<?, ?>) ((Map<?, ?>) template.toJSON()).get("Resources");
    return (Map<?, ?>) ((Map<?, ?>) resources.get(logicalId)).get("Properties");
  }

  @Test
  void theControllerIsToldItsNameAndOutputNamesIt() {
    for (List<String> command : List.of(List.of("sync"), List.of("sync", "--events"))) {
      template.hasResourceProperties(
          "AWS::Batch::JobDefinition",
          Map.of(
              "ContainerProperties",
              Match.objectLike(
                  Map.of(
                      "Command", command,
                      "Environment",
                      Match.arrayWith(
                          List.of(Map.of("Name", "ECR_MIRROR_TAG_TABLE", "Value", Map.of("Ref", tagTable))))))));
    }
    template.hasOutput("TagTableName", Map.of("Value", Map.of("Ref", tagTable)));
  }

  @Test
  void onlyTheControllerMayReadAndWriteItWithTheActionsItHasOnTheMirrorTable() {
    Object tagTableArn = Map.of("Fn::GetAtt", List.of(tagTable, "Arn"));
    Object mirrorTableArn = Map.of("Fn::GetAtt", List.of(Stacks.mirrorTable(template), "Arn"));
    List<Map<String, Object>> controller = Stacks.statements(template, "ControllerJobRole");
    List<String> onTagTable =
        controller.stream()
            .filter(st -> Stacks.resources(st).contains(tagTableArn))
            .flatMap(st -> Stacks.actions(st).stream())
            .toList();
    List<String> onMirrorTable =
        controller.stream()
            .filter(st -> Stacks.resources(st).contains(mirrorTableArn))
            .flatMap(st -> Stacks.actions(st).stream())
            .toList();

    assertThat(onTagTable).contains("dynamodb:Query", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem");
    assertThat(onTagTable).containsExactlyInAnyOrderElementsOf(onMirrorTable);
    // No other role names the tag-state table.
    template
        .findResources("AWS::IAM::Policy")
        .forEach(
            (id, policy) -> {
              if (!id.startsWith("ControllerJobRole")) {
                assertThat(policy.toString()).as("policy %s", id).doesNotContain(tagTable);
              }
            });
  }
}
