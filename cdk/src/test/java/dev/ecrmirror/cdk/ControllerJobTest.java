package dev.ecrmirror.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class ControllerJobTest {

  private static Template template;
  private static String workerJobDefinition;

  @BeforeAll
  static void synth() {
    template = Stacks.template();
    workerJobDefinition =
        template
            .findResources(
                "AWS::Batch::JobDefinition",
                Map.of(
                    "Properties",
                    Map.of(
                        "ContainerProperties",
                        Match.objectLike(
                            Map.of("Command", WorkerJob.COMMAND)))))
            .keySet()
            .iterator()
            .next();
  }

  private static Object env(String name, Object value) {
    return Match.arrayWith(List.of(Map.of("Name", name, "Value", value)));
  }

  @Test
  void syncAndEventsModesAreTwoJobDefinitions() {
    for (List<String> command : List.of(List.of("sync"), List.of("sync", "--events"))) {
      template.hasResourceProperties(
          "AWS::Batch::JobDefinition",
          Map.of(
              "ContainerProperties",
              Match.objectLike(
                  Map.of(
                      "Command", command,
                      "ResourceRequirements",
                      Match.arrayWith(
                          List.of(
                              Map.of("Type", "MEMORY", "Value", "1024"),
                              Map.of("Type", "VCPU", "Value", "0.5"))))),
              "Timeout", Map.of("AttemptDurationSeconds", 3600),
              "RetryStrategy", Match.objectLike(Map.of("Attempts", ControllerJob.ATTEMPTS))));
    }
  }

  @Test
  void isToldWhereTheTableQueuesAndWorkerJobDefinitionAre() {
    String table = Stacks.mirrorTable(template);
    for (Object env :
        List.of(
            env("ECR_MIRROR_TABLE", Map.of("Ref", table)),
            env(
                "ECR_MIRROR_JOB_QUEUE",
                Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("ComputeMirrorQueue.*"), "JobQueueArn"))),
            env("ECR_MIRROR_JOB_DEFINITION", Map.of("Ref", workerJobDefinition)),
            env("ECR_MIRROR_EVENTS_QUEUE_URL", Map.of("Ref", Match.stringLikeRegexp("EventsQueue.*"))))) {
      for (List<String> command : List.of(List.of("sync"), List.of("sync", "--events"))) {
        template.hasResourceProperties(
            "AWS::Batch::JobDefinition",
            Map.of("ContainerProperties", Match.objectLike(Map.of("Command", command, "Environment", env))));
      }
    }
  }

  @Test
  void maySubmitOnlyWorkerJobsToTheMirrorQueue() {
    Object mirrorQueue =
        Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("ComputeMirrorQueue.*"), "JobQueueArn"));
    template.hasResourceProperties(
        "AWS::IAM::Policy",
        Map.of(
            "PolicyName", Match.stringLikeRegexp("ControllerJobRole.*"),
            "PolicyDocument",
            Match.objectLike(
                Map.of(
                    "Statement",
                    Match.arrayWith(
                        List.of(
                            Match.objectLike(
                                Map.of(
                                    "Action", "batch:SubmitJob",
                                    "Resource", List.of(Map.of("Ref", workerJobDefinition), mirrorQueue))),
                            Match.objectLike(
                                Map.of(
                                    "Action", "batch:SubmitJob",
                                    "Resource",
                                    List.of(
                                        Map.of(
                                            "Fn::Join",
                                            Match.arrayWith(
                                                List.of(
                                                    Match.arrayWith(
                                                        List.of(":job-definition/"))))),
                                        mirrorQueue))),
                            Match.objectLike(
                                Map.of("Action", "batch:DescribeJobs", "Resource", "*"))))))));
  }

  @Test
  void readsTheTableConsumesEventsAndReadsEcrDigests() {
    template.hasResourceProperties(
        "AWS::IAM::Policy",
        Map.of(
            "PolicyName", Match.stringLikeRegexp("ControllerJobRole.*"),
            "PolicyDocument",
            Match.objectLike(
                Map.of(
                    "Statement",
                    Match.arrayWith(
                        List.of(
                            Match.objectLike(
                                Map.of(
                                    "Action",
                                    Match.arrayWith(
                                        List.of("dynamodb:Scan", "dynamodb:PutItem", "dynamodb:UpdateItem")))),
                            Match.objectLike(
                                Map.of(
                                    "Action",
                                    Match.arrayWith(List.of("sqs:ReceiveMessage", "sqs:DeleteMessage")))),
                            Match.objectLike(
                                Map.of(
                                    "Action",
                                    List.of(
                                        "ecr:DescribeImages",
                                        "ecr:BatchGetImage",
                                        "ecr:BatchCheckLayerAvailability",
                                        "ecr:GetDownloadUrlForLayer"))),
                            Match.objectLike(Map.of("Action", "ecr:GetAuthorizationToken"))))))));
  }

  @Test
  void imageOverridesAreUsedVerbatimAndGrantPullOnlyForEcr() {
    Template overridden =
        Stacks.template(
            Map.of(
                "controllerImage", "ghcr.io/example/ecr-mirror-controller:dev",
                "workerImage", "210987654321.dkr.ecr.eu-west-1.amazonaws.com/tools/mirror-worker@sha256:"
                    + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));

    overridden.hasResourceProperties(
        "AWS::Batch::JobDefinition",
        Map.of(
            "ContainerProperties",
            Match.objectLike(
                Map.of("Command", List.of("sync"), "Image", "ghcr.io/example/ecr-mirror-controller:dev"))));
    overridden.hasResourceProperties(
        "AWS::IAM::Policy",
        Map.of(
            "PolicyName", Match.stringLikeRegexp("WorkerExecutionRole.*"),
            "PolicyDocument",
            Match.objectLike(
                Map.of(
                    "Statement",
                    Match.arrayWith(
                        List.of(
                            Match.objectLike(
                                Map.of(
                                    "Action", Match.arrayWith(List.of("ecr:BatchGetImage")),
                                    "Resource",
                                    Map.of(
                                        "Fn::Join",
                                        List.of(
                                            "",
                                            List.of(
                                                "arn:",
                                                Map.of("Ref", "AWS::Partition"),
                                                ":ecr:eu-west-1:210987654321:repository/tools/mirror-worker")))))))))));
    overridden.hasResourceProperties(
        "AWS::IAM::Policy",
        Map.of(
            "PolicyName", Match.stringLikeRegexp("ControllerExecutionRole.*"),
            "PolicyDocument",
            Match.objectLike(
                Map.of(
                    "Statement",
                    Match.not(
                        Match.arrayWith(
                            List.of(Match.objectLike(Map.of("Action", "ecr:GetAuthorizationToken")))))))));
  }

  @Test
  void imagePrefixAndTagNameBothImages() {
    Template prefixed =
        Stacks.template(Map.of("imagePrefix", "123456789012.dkr.ecr.us-east-1.amazonaws.com/tools/", "imageTag", "1.2.3"));

    prefixed.hasResourceProperties(
        "AWS::Batch::JobDefinition",
        Map.of(
            "ContainerProperties",
            Match.objectLike(
                Map.of(
                    "Command", List.of("sync"),
                    "Image", "123456789012.dkr.ecr.us-east-1.amazonaws.com/tools/controller:1.2.3"))));
    prefixed.hasResourceProperties(
        "AWS::Batch::JobDefinition",
        Map.of(
            "ContainerProperties",
            Match.objectLike(
                Map.of(
                    "Command", WorkerJob.COMMAND,
                    "Image", "123456789012.dkr.ecr.us-east-1.amazonaws.com/tools/mirror-worker:1.2.3"))));
  }

  @Test
  void withoutFromEcrTagsTheControllerNeitherRunsItNorMayListRepositories() {
    template.hasResourceProperties(
        "AWS::Batch::JobDefinition",
        Map.of("ContainerProperties", Match.objectLike(Map.of("Command", List.of("sync")))));
    assertThat(Stacks.statements(template, "ControllerJobRole"))
        .flatExtracting(Stacks::actions)
        .doesNotContain("ecr:DescribeRepositories", "ecr:ListTagsForResource");
  }

  @Test
  void fromEcrTagsRunsTheScheduledSyncWithItAndGrantsExactlyTheTwoReads() {
    Template tagged = Stacks.template(Map.of("fromEcrTags", "true"));

    for (List<String> command : List.of(List.of("sync", "--from-ecr-tags"), List.of("sync", "--events"))) {
      tagged.hasResourceProperties(
          "AWS::Batch::JobDefinition",
          Map.of("ContainerProperties", Match.objectLike(Map.of("Command", command))));
    }
    List<Map<String, Object>> controller = Stacks.statements(tagged, "ControllerJobRole");
    assertThat(controller)
        .filteredOn(st -> "ReadRepositoryTags".equals(st.get("Sid")))
        .singleElement()
        .satisfies(
            st -> {
              assertThat(Stacks.actions(st))
                  .containsExactly("ecr:DescribeRepositories", "ecr:ListTagsForResource");
              assertThat(st.get("Effect")).isEqualTo("Allow");
              assertThat(st.get("Resource"))
                  .isEqualTo(
                      Map.of(
                          "Fn::Join",
                          List.of(
                              "",
                              List.of(
                                  "arn:",
                                  Map.of("Ref", "AWS::Partition"),
                                  ":ecr:",
                                  Map.of("Ref", "AWS::Region"),
                                  ":",
                                  Map.of("Ref", "AWS::AccountId"),
                                  ":repository/*"))));
            });
    // Listing images of ECR sources for repository rows needs DescribeImages, with or without the switch.
    assertThat(controller)
        .flatExtracting(Stacks::actions)
        .contains("ecr:DescribeImages")
        .allSatisfy(a -> assertThat(a).doesNotContain("*"));
    // The worker's grants (its repository set-up reads repositories too) do not depend on the switch.
    assertThat(Stacks.statements(tagged, "Worker")).isEqualTo(Stacks.statements(Stacks.template(), "Worker"));
  }

  @Test
  void putsItsEventsOnTheDefaultBusAndPrintsEmfMetrics() {
    for (List<String> command : List.of(List.of("sync"), List.of("sync", "--events"))) {
      for (Object env : List.of(env("ECR_MIRROR_EVENT_BUS", "default"), env("ECR_MIRROR_METRICS", "emf"))) {
        template.hasResourceProperties(
            "AWS::Batch::JobDefinition",
            Map.of("ContainerProperties", Match.objectLike(Map.of("Command", command, "Environment", env))));
      }
    }
    var putEvents =
        Stacks.statements(template, "ControllerJobRole").stream()
            .filter(s -> Stacks.actions(s).contains("events:PutEvents"))
            .toList();
    assertThat(putEvents).hasSize(1);
    assertThat(Stacks.resources(putEvents.getFirst()).toString()).contains(":event-bus/default");
  }

  @Test
  void aSlackWebhookSecretIsInjectedIntoBothControllerJobsOnly() {
    String arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-mirror/slack-AbCdEf";
    Template withSlack = Stacks.template(Map.of("slackWebhookSecretArn", arn));
    for (List<String> command : List.of(List.of("sync"), List.of("sync", "--events"))) {
      withSlack.hasResourceProperties(
          "AWS::Batch::JobDefinition",
          Map.of(
              "ContainerProperties",
              Match.objectLike(
                  Map.of(
                      "Command", command,
                      "Secrets",
                      Match.arrayWith(List.of(Map.of("Name", "ECR_MIRROR_SLACK_WEBHOOK", "ValueFrom", arn)))))));
    }
    assertThat(withSlack.findResources("AWS::Batch::JobDefinition").toString().split("ECR_MIRROR_SLACK_WEBHOOK", -1))
        .as("two controller job definitions, not the worker's")
        .hasSize(3);
    assertThat(template.findResources("AWS::Batch::JobDefinition").toString()).doesNotContain("ECR_MIRROR_SLACK_WEBHOOK");
  }
}
