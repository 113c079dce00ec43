package dev.ecrmirror.cdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * {@code -c runReports=true}: a private, versioned bucket; the scheduled run (not the events run)
 * writes its report there, and the controller may put that one object and nothing else.
 */
class RunReportsTest {

  @Test
  void noBucketAndNoReportUnlessAsked() {
    Template template = Stacks.template();
    template.resourceCountIs("AWS::S3::Bucket", 0);
    template.hasResourceProperties(
        "AWS::Batch::JobDefinition",
        Map.of("ContainerProperties", Match.objectLike(Map.of("Command", List.of("sync")))));
  }

  @Test
  void theScheduledRunReportsToAPrivateVersionedBucket() {
    Template template = Stacks.template(Map.of("runReports", "true", "runReportDays", "30"));
    template.resourceCountIs("AWS::S3::Bucket", 1);
    String bucket = template.findResources("AWS::S3::Bucket").keySet().iterator().next();
    template.hasResourceProperties(
        "AWS::S3::Bucket",
        Map.of(
            "VersioningConfiguration", Map.of("Status", "Enabled"),
            "PublicAccessBlockConfiguration",
                Map.of(
                    "BlockPublicAcls", true,
                    "BlockPublicPolicy", true,
                    "IgnorePublicAcls", true,
                    "RestrictPublicBuckets", true),
            "LifecycleConfiguration",
                Map.of(
                    "Rules",
                    List.of(
                        Match.objectLike(
                            Map.of("NoncurrentVersionExpiration", Map.of("NoncurrentDays", 30), "Status", "Enabled"))))));

    String url =
        "{\"Fn::Join\":[\"\",[\"s3://\",{\"Ref\":\"" + bucket + "\"},\"/" + RunReports.KEY + "\"]]}";
    var definitions = template.findResources("AWS::Batch::JobDefinition");
    var commands =
        definitions.values().stream()
            .map(d -> ((Map<?, ?>) ((Map<?, ?>) d.get("Properties")).get("ContainerProperties")))
            .filter(c -> c != null && c.get("Command") != null)
            .map(c -> new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(c.get("Command")).toString())
            .toList();
    assertThat(commands).contains("[\"sync\",\"--report\"," + url + "]", "[\"sync\",\"--events\"]");

    List<Map<String, Object>> controller = Stacks.statements(template, "ControllerJobRole");
    assertThat(controller)
        .filteredOn(st -> Stacks.actions(st).stream().anyMatch(a -> a.startsWith("s3:")))
        .singleElement()
        .satisfies(
            st -> {
              assertThat(Stacks.actions(st)).containsExactly("s3:PutObject");
              assertThat(Stacks.resources(st).toString()).contains(bucket).contains("/" + RunReports.KEY);
            });
    template.hasOutput("RunReportUrl", Match.anyValue());
  }

  @Test
  void earlierRunsAreKeptNinetyDaysByDefaultAndTheDaysNeedTheSwitch() {
    Stacks.template(Map.of("runReports", "true"))
        .hasResourceProperties(
            "AWS::S3::Bucket",
            Match.objectLike(
                Map.of(
                    "LifecycleConfiguration",
                    Map.of(
                        "Rules",
                        List.of(Match.objectLike(Map.of("NoncurrentVersionExpiration", Map.of("NoncurrentDays", 90))))))));
    assertThatThrownBy(() -> Stacks.template(Map.of("runReportDays", "30")))
        .hasMessageContaining("context runReportDays needs runReports=true");
  }
}
