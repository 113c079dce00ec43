package dev.ecrmirror.cdk;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class MirrorTableTest {

  private static Template template;

  @BeforeAll
  static void synth() {
    template = Stacks.template();
  }

  @Test
  void keyedBySourceLikeExistingAwsEcrMirrorTables() {
    // The mirror table and the tag-state table.
    template.resourceCountIs("AWS::DynamoDB::Table", 2);
    template.hasResourceProperties(
        "AWS::DynamoDB::Table",
        Map.of(
            "KeySchema", List.of(Map.of("AttributeName", "Source", "KeyType", "HASH")),
            "AttributeDefinitions",
            List.of(
                Map.of("AttributeName", "Source", "AttributeType", "S"),
                Map.of("AttributeName", "SourceRepository", "AttributeType", "S"))));
  }

  @Test
  void aKeysOnlyIndexOnTheSourceRepositoryFindsTheRowsAPushTouches() {
    template.hasResourceProperties(
        "AWS::DynamoDB::Table",
        Match.objectLike(
            Map.of(
                "KeySchema", List.of(Map.of("AttributeName", "Source", "KeyType", "HASH")),
                "GlobalSecondaryIndexes",
                List.of(
                    Map.of(
                        "IndexName", "SourceRepository",
                        "KeySchema", List.of(Map.of("AttributeName", "SourceRepository", "KeyType", "HASH")),
                        "Projection", Map.of("ProjectionType", "KEYS_ONLY"))))));
  }

  @Test
  void theControllerMayQueryTheIndex() {
    String table = Stacks.mirrorTable(template);
    Object indexes =
        Map.of("Fn::Join", List.of("", List.of(Map.of("Fn::GetAtt", List.of(table, "Arn")), "/index/*")));
    var queries =
        Stacks.statements(template, "ControllerJobRole").stream()
            .filter(st -> Stacks.actions(st).contains("dynamodb:Query"))
            .flatMap(st -> Stacks.resources(st).stream())
            .toList();
    org.assertj.core.api.Assertions.assertThat(queries).contains(indexes);
  }

  @Test
  void onDemandWithPointInTimeRecovery() {
    template.hasResourceProperties(
        "AWS::DynamoDB::Table",
        Map.of(
            "BillingMode", "PAY_PER_REQUEST",
            "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true)));
  }

  @Test
  void survivesStackDeletionAndReplacement() {
    template.hasResource(
        "AWS::DynamoDB::Table",
        Match.objectLike(Map.of("DeletionPolicy", "Retain", "UpdateReplacePolicy", "Retain")));
  }
}
