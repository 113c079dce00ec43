package dev.ecrmirror.cdk;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Size;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.batch.EcsFargateContainerDefinition;
import software.amazon.awscdk.services.batch.EcsJobDefinition;
import software.amazon.awscdk.services.batch.IJobDefinition;
import software.amazon.awscdk.services.batch.IJobQueue;
import software.amazon.awscdk.services.ecs.AwsLogDriverProps;
import software.amazon.awscdk.services.ecs.LogDriver;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.logs.LogGroup;
import software.constructs.Construct;

/**
 * The mirror-worker job definition: copies a source image, or pinned tags of a source repository,
 * to its destinations, byte for byte.
 *
 * <p>The command is {@code --pin Ref::pin --existing-tags Ref::existing --referrers Ref::referrers
 * --repository-settings Ref::settings Ref::source Ref::dest}, so a job is submitted with the
 * parameters {@code source} and {@code dest} (destinations comma-separated), by the controller or by
 * hand, and optionally {@code pin} (comma-separated {@code TAG@sha256:…}), which the controller always
 * sends, {@code existing} ({@code overwrite} by default, {@code keep} or {@code backup}), which it
 * sends for a row with that {@code ExistingTags}, {@code referrers} ({@code true} by default;
 * {@code false} copies the image without its signatures, SBOMs and attestations), and
 * {@code settings} (a row's repository settings, JSON, laid over the context's
 * {@code repositorySettings}).
 */
public final class WorkerJob extends Construct {

  /**
   * The worker's {@code --pin} value meaning no pins. Batch substitutes a {@code Ref::} placeholder
   * with the job's parameter or else the job definition's default, and its documentation nowhere
   * says an empty string is a valid value (it rejects empty command elements in container
   * overrides), so a submit-job without {@code pin} gets this word instead of an empty argument.
   */
  static final String NO_PINS = "none";

  /** The worker's {@code --repository-settings} value meaning none beyond its environment's, for the same reason. */
  static final String NO_SETTINGS = "none";

  /** The container command: every parameter in its place, {@code pin} as an option. */
  static final List<String> COMMAND =
      List.of("--pin", "Ref::pin", "--existing-tags", "Ref::existing", "--referrers", "Ref::referrers", "--repository-settings", "Ref::settings", "Ref::source", "Ref::dest");

  /**
   * Placeholders that fail fast as invalid references when a job is submitted without {@code source}
   * or {@code dest}; {@code pin} may be left out (an ad hoc copy of what the source holds now), and
   * {@code existing} too (destination tags are overwritten, as before the parameter existed).
   */
  static final Map<String, String> DEFAULT_PARAMETERS =
      Map.of("source", "MISSING_SOURCE_PARAMETER", "dest", "MISSING_DEST_PARAMETER", "pin", NO_PINS,
          "existing", "overwrite", "referrers", "true", "settings", NO_SETTINGS);

  /** Attempts per job: the first run plus retries of infrastructure failures. */
  static final int ATTEMPTS = 3;

  private final EcsJobDefinition jobDefinition;
  private final Role jobRole;

  /**
   * Options of the worker job.
   *
   * @param platform what all jobs share
   * @param image the mirror-worker image (entrypoint {@code java -jar /app/mirror-worker.jar})
   * @param vcpus vCPUs of one task
   * @param memoryMib memory of one task, MiB
   * @param timeout how long one attempt may run; copying multi-GB images takes a while
   */
  public record Props(
      JobPlatform platform, JobImage image, double vcpus, int memoryMib, Duration timeout) {}

  public WorkerJob(Construct scope, String id, Props props) {
    super(scope, id);
    JobPlatform platform = props.platform();
    var logGroup = LogGroup.Builder.create(this, "LogGroup").retention(platform.logRetention()).build();
    var executionRole = JobPlatform.executionRole(this, props.image());
    this.jobRole = JobPlatform.jobRole(this, "ecr-mirror worker: pulls and pushes images, records results");
    grantJobPermissions(platform);
    DestinationSettings destinations = DestinationSettings.fromContext(getNode());
    grantRepositorySetup(platform, destinations);

    Map<String, String> environment = new HashMap<>(platform.baseEnvironment());
    environment.putAll(destinations.workerEnvironment());
    // Each job reports its own result: one Mirror Job Succeeded/Failed event and one EMF metrics line.
    environment.put(ControllerJob.ENV_EVENT_BUS, "default");
    environment.put(ControllerJob.ENV_METRICS, "emf");
    var container =
        EcsFargateContainerDefinition.Builder.create(this, "Container")
            .image(props.image().containerImage())
            .cpu(props.vcpus())
            .memory(Size.mebibytes(props.memoryMib()))
            .command(COMMAND)
            .environment(environment)
            .secrets(platform.secrets())
            .jobRole(jobRole)
            .executionRole(executionRole)
            .logging(
                LogDriver.awsLogs(
                    AwsLogDriverProps.builder().logGroup(logGroup).streamPrefix("mirror-worker").build()))
            .assignPublicIp(platform.network().assignPublicIp())
            .fargateCpuArchitecture(platform.cpuArchitecture())
            .fargateOperatingSystemFamily(platform.operatingSystemFamily())
            .build();
    this.jobDefinition =
        EcsJobDefinition.Builder.create(this, "JobDefinition")
            .container(container)
            .parameters(Map.copyOf(DEFAULT_PARAMETERS))
            .retryAttempts(ATTEMPTS)
            .retryStrategies(JobPlatform.retryStrategies())
            .timeout(props.timeout())
            .propagateTags(true)
            .build();
  }

  /**
   * ECR pull and push, and its result as one event on the default bus: the worker never touches the
   * table. The controller records each job's outcome itself, from Batch's account of the job (its
   * exit code says what kind of failure) and from what the destinations hold afterwards.
   */
  private void grantJobPermissions(JobPlatform platform) {
    jobRole.addToPolicy(
        PolicyStatement.Builder.create()
            .sid("PullAndPushImages")
            .actions(
                List.of(
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:DescribeImages",
                    // tags/list, where referrer tags (sha256-<hex>.sig, ...) are found
                    "ecr:ListImages",
                    "ecr:InitiateLayerUpload",
                    "ecr:UploadLayerPart",
                    "ecr:CompleteLayerUpload",
                    "ecr:PutImage",
                    "ecr:CreateRepository"))
            .resources(List.of(platform.ecrRepositoryArns()))
            .build());
    jobRole.addToPolicy(JobPlatform.ecrLogin());
    jobRole.addToPolicy(JobPlatform.putDefaultBusEvents("PutJobEvents"));
    JobPlatform.suppressWildcards(
        jobRole,
        "Destinations are rows of the mirror table, in any region and account, unknown at deploy"
            + " time: ECR actions are scoped to repository ARNs (by name prefix when"
            + " ecrRepositoryPrefix is set); ecr:GetAuthorizationToken only accepts resource *.",
        "Resource::*",
        platform.ecrRepositoryFinding());
  }

  /**
   * Setting up destination repositories: checking they exist and reading what a dry run compares
   * ({@code DescribeRepositories}, the lifecycle policy), the lifecycle policy and tags of a repository
   * it creates, and the creation templates (a registry-level read, resource *) that may create it on
   * push instead; {@code sts:AssumeRole} on exactly the {@code assumeRoles}; and, when the default
   * settings name a KMS key, the grants ECR needs to create a repository encrypted with it.
   */
  private void grantRepositorySetup(JobPlatform platform, DestinationSettings destinations) {
    jobRole.addToPolicy(
        PolicyStatement.Builder.create()
            .sid("SetUpRepositories")
            .actions(
                List.of(
                    "ecr:DescribeRepositories",
                    "ecr:GetLifecyclePolicy",
                    "ecr:PutLifecyclePolicy",
                    "ecr:ListTagsForResource",
                    "ecr:TagResource"))
            .resources(List.of(platform.ecrRepositoryArns()))
            .build());
    jobRole.addToPolicy(
        PolicyStatement.Builder.create()
            .sid("ReadCreationTemplates")
            .actions(List.of("ecr:DescribeRepositoryCreationTemplates"))
            .resources(List.of("*"))
            .build());
    destinations.grantAssumeRoles(jobRole);
    destinations.kmsKey().ifPresent(key -> jobRole.addToPolicy(
        PolicyStatement.Builder.create()
            .sid("EncryptCreatedRepositories")
            .actions(List.of("kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"))
            .resources(List.of(key))
            .build()));
  }

  public IJobDefinition jobDefinition() {
    return jobDefinition;
  }

  /**
   * Lets {@code role} submit worker jobs to {@code queue}: by the job definition ARN with its
   * revision (what the controller is given) and without it (the latest active revision).
   */
  void grantSubmit(IGrantable role, IJobQueue queue) {
    jobDefinition.grantSubmitJob(role, queue);
    String latestRevisionArn =
        Stack.of(this)
            .formatArn(
                ArnComponents.builder()
                    .service("batch")
                    .resource("job-definition")
                    .resourceName(jobDefinition.getJobDefinitionName())
                    .arnFormat(ArnFormat.SLASH_RESOURCE_NAME)
                    .build());
    Grant.addToPrincipal(
        GrantOnPrincipalOptions.builder()
            .grantee(role)
            .actions(List.of("batch:SubmitJob"))
            .resourceArns(List.of(latestRevisionArn, queue.getJobQueueArn()))
            .build());
  }
}
