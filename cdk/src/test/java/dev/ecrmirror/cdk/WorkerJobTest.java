package dev.ecrmirror.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class WorkerJobTest {

  private static final Object WORKER_COMMAND = WorkerJob.COMMAND;

  private static Template template;

  @BeforeAll
  static void synth() {
    template = Stacks.template();
  }

  private static Map<String, Object> worker(Map<String, Object> containerProperties) {
    var container = new java.util.HashMap<String, Object>(containerProperties);
    container.put("Command", WORKER_COMMAND);
    return Map.of("ContainerProperties", Match.objectLike(container));
  }

  private static Object env(String name, Object value) {
    return Match.arrayWith(List.of(Map.of("Name", name, "Value", value)));
  }

  @Test
  void runsTheWorkerWithSourceDestAndPinParameters() {
    template.hasResourceProperties(
        "AWS::Batch::JobDefinition",
        Map.of(
            "ContainerProperties", Match.objectLike(Map.of("Command", WORKER_COMMAND)),
            "Parameters", Map.of("source", Match.anyValue(), "dest", Match.anyValue(), "pin", Match.anyValue(),
                "existing", Match.anyValue(),
                "referrers", "true",
                "settings", Match.anyValue()),
            "PlatformCapabilities", List.of("FARGATE")));
  }

  @Test
  void eachJobPutsItsResultOnTheDefaultBusAndPrintsEmfMetrics() {
    for (Object env : List.of(env("ECR_MIRROR_EVENT_BUS", "default"), env("ECR_MIRROR_METRICS", "emf"))) {
      template.hasResourceProperties("AWS::Batch::JobDefinition", worker(Map.of("Environment", env)));
    }
    var putEvents =
        Stacks.statements(template, "WorkerJobRole").stream()
            .filter(s -> Stacks.actions(s).contains("events:PutEvents"))
            .toList();
    assertThat(putEvents).singleElement().satisfies(s -> {
      assertThat(Stacks.actions(s)).containsExactly("events:PutEvents");
      assertThat(Stacks.resources(s)).hasSize(1);
      assertThat(Stacks.resources(s).toString()).contains(":event-bus/default")
          .doesNotContain("*");
    });
  }

  @Test
  void aJobSubmittedWithoutPinGetsTheWordTheWorkerReadsAsNoPins() {
    // An ad hoc submit-job passes only source and dest: Batch then fills Ref::pin from this default,
    // and Ref::existing with overwrite, what a copy did before the ExistingTags policy.
    template.hasResourceProperties(
        "AWS::Batch::JobDefinition",
        Map.of(
            "ContainerProperties", Match.objectLike(Map.of("Command", WORKER_COMMAND)),
            "Parameters",
            Map.of(
                "pin", "none",
                "existing", "overwrite",
                "referrers", "true",
                "settings", "none",
                "source", "MISSING_SOURCE_PARAMETER",
                "dest", "MISSING_DEST_PARAMETER")));
  }

  @Test
  void pullsTheMirrorWorkerImageOfThisAccountByDefault() {
    template.hasResourceProperties(
        "AWS::Batch::JobDefinition",
        worker(
            Map.of(
                "Image",
                Map.of(
                    "Fn::Join",
                    List.of(
                        "",
                        List.of(
                            Map.of("Ref", "AWS::AccountId"),
                            ".dkr.ecr.",
                            Map.of("Ref", "AWS::Region"),
                            ".",
                            Map.of("Ref", "AWS::URLSuffix"),
                            "/ecr-mirror/mirror-worker:0.1.0"))))));
  }

  @Test
  void sizesTheJvmToTheContainerAndIsNotToldTheTable() {
    template.hasResourceProperties(
        "AWS::Batch::JobDefinition",
        worker(Map.of("Environment", Match.not(Match.arrayWith(List.of(Match.objectLike(Map.of("Name", "ECR_MIRROR_TABLE"))))))));
    template.hasResourceProperties(
        "AWS::Batch::JobDefinition",
        worker(
            Map.of(
                "Environment",
                env("JAVA_TOOL_OPTIONS", Match.stringLikeRegexp(".*-XX:MaxRAMPercentage=.*-XX:\\+ExitOnOutOfMemoryError.*")))));
  }

  @Test
  void defaultsToOneVcpuTwoGibX86AndFourHours() {
    template.hasResourceProperties(
        "AWS::Batch::JobDefinition",
        Map.of(
            "ContainerProperties",
            Match.objectLike(
                Map.of(
                    "Command", WORKER_COMMAND,
                    "ResourceRequirements",
                    Match.arrayWith(
                        List.of(Map.of("Type", "MEMORY", "Value", "2048"), Map.of("Type", "VCPU", "Value", "1"))),
                    "RuntimePlatform", Map.of("CpuArchitecture", "X86_64", "OperatingSystemFamily", "LINUX"))),
            "Timeout", Map.of("AttemptDurationSeconds", 4 * 3600)));
  }

  @Test
  void contextResizesTheWorkerAndSelectsGraviton() {
    Template resized =
        Stacks.template(
            Map.of(
                "workerTimeoutMinutes", "720",
                "workerVcpus", "2",
                "workerMemoryMiB", "4096",
                "cpuArchitecture", "ARM64"));

    resized.hasResourceProperties(
        "AWS::Batch::JobDefinition",
        Map.of(
            "ContainerProperties",
            Match.objectLike(
                Map.of(
                    "Command", WORKER_COMMAND,
                    "ResourceRequirements",
                    Match.arrayWith(
                        List.of(Map.of("Type", "MEMORY", "Value", "4096"), Map.of("Type", "VCPU", "Value", "2"))),
                    "RuntimePlatform", Map.of("CpuArchitecture", "ARM64", "OperatingSystemFamily", "LINUX"))),
            "Timeout", Map.of("AttemptDurationSeconds", 12 * 3600)));
    // Fargate Spot runs X86_64 tasks only, so Graviton defaults to on-demand Fargate.
    resized.resourcePropertiesCountIs(
        "AWS::Batch::ComputeEnvironment",
        Map.of("ComputeResources", Match.objectLike(Map.of("Type", "FARGATE"))),
        2);
  }

  @Test
  void retriesInfrastructureFailuresButNeverApplicationExits() {
    // Every worker exit code (1 transient, 3 permanent, 4 conflict, 5 rate-limited) ends the job:
    // the controller reads it, and a conflict or a spent rate budget retried at once only fails again.
    template.hasResourceProperties(
        "AWS::Batch::JobDefinition",
        Map.of(
            "ContainerProperties", Match.objectLike(Map.of("Command", WORKER_COMMAND)),
            "RetryStrategy",
            Map.of(
                "Attempts", WorkerJob.ATTEMPTS,
                "EvaluateOnExit",
                List.of(
                    Map.of("Action", "RETRY", "OnStatusReason", "Host EC2*"),
                    Map.of("Action", "RETRY", "OnStatusReason", "Your Spot Task was interrupted*"),
                    Map.of("Action", "RETRY", "OnReason", "CannotPullContainerError*"),
                    Map.of("Action", "RETRY", "OnReason", "ResourceInitializationError*"),
                    Map.of("Action", "EXIT", "OnExitCode", "*")))));
  }

  @Test
  void logsToItsOwnLogGroupWithThirtyDayRetention() {
    template.hasResourceProperties(
        "AWS::Batch::JobDefinition",
        worker(
            Map.of(
                "LogConfiguration",
                Map.of(
                    "LogDriver", "awslogs",
                    "Options",
                    Match.objectLike(Map.of("awslogs-group", Map.of("Ref", Match.stringLikeRegexp("WorkerLogGroup.*"))))))));
    template.resourcePropertiesCountIs("AWS::Logs::LogGroup", Map.of("RetentionInDays", 30), 2);
  }

  @Test
  void mayPullAndPushEcrImagesSetUpRepositoriesAndPutItsEventAndNothingElse() {
    template.hasResourceProperties(
        "AWS::IAM::Policy",
        Map.of(
            "PolicyName", Match.stringLikeRegexp("WorkerJobRole.*"),
            "PolicyDocument",
            Map.of(
                "Statement",
                List.of(
                    Match.objectLike(
                        Map.of(
                            "Action",
                            List.of(
                                "ecr:BatchCheckLayerAvailability",
                                "ecr:BatchGetImage",
                                "ecr:GetDownloadUrlForLayer",
                                "ecr:DescribeImages",
                                "ecr:ListImages",
                                "ecr:InitiateLayerUpload",
                                "ecr:UploadLayerPart",
                                "ecr:CompleteLayerUpload",
                                "ecr:PutImage",
                                "ecr:CreateRepository"))),
                    Match.objectLike(Map.of("Action", "ecr:GetAuthorizationToken", "Resource", "*")),
                    Match.objectLike(Map.of("Sid", "PutJobEvents", "Action", "events:PutEvents")),
                    Match.objectLike(
                        Map.of(
                            "Sid", "SetUpRepositories",
                            "Action",
                            List.of(
                                "ecr:DescribeRepositories",
                                "ecr:GetLifecyclePolicy",
                                "ecr:PutLifecyclePolicy",
                                "ecr:ListTagsForResource",
                                "ecr:TagResource"))),
                    Match.objectLike(
                        Map.of("Action", "ecr:DescribeRepositoryCreationTemplates", "Resource", "*"))),
                "Version", "2012-10-17")));
  }

  @Test
  void ecrRepositoryPrefixScopesEcrPermissions() {
    Template scoped = Stacks.template(Map.of("ecrRepositoryPrefix", "mirror/"));

    scoped.hasResourceProperties(
        "AWS::IAM::Policy",
        Map.of(
            "PolicyName", Match.stringLikeRegexp("WorkerJobRole.*"),
            "PolicyDocument",
            Map.of(
                "Statement",
                Match.arrayWith(
                    List.of(
                        Match.objectLike(
                            Map.of(
                                "Action", Match.arrayWith(List.of("ecr:PutImage")),
                                "Resource",
                                Map.of(
                                    "Fn::Join",
                                    List.of(
                                        "",
                                        List.of(
                                            "arn:",
                                            Map.of("Ref", "AWS::Partition"),
                                            ":ecr:*:*:repository/mirror/*"))))))))));
  }
}
