package dev.ecrmirror.cdk;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import io.github.cdklabs.cdknag.RegexAppliesTo;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.services.batch.Action;
import software.amazon.awscdk.services.batch.CustomReason;
import software.amazon.awscdk.services.batch.Reason;
import software.amazon.awscdk.services.batch.RetryStrategy;
import software.amazon.awscdk.services.batch.Secret;
import software.amazon.awscdk.services.ecs.CpuArchitecture;
import software.amazon.awscdk.services.ecs.OperatingSystemFamily;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.constructs.Construct;

/**
 * What the controller and worker jobs share: network, CPU architecture, credentials, logging and
 * the retry policy.
 *
 * @param network where the tasks run
 * @param arm64 Graviton (ARM64) rather than X86_64
 * @param credentials the registry credentials secret, injected as {@code ECR_MIRROR_AUTH_JSON}
 * @param logRetention retention of each job's log group
 * @param ecrRepositoryPrefix repository name prefix the jobs' ECR permissions are scoped to
 */
public record JobPlatform(
    BatchNetwork network,
    boolean arm64,
    ISecret credentials,
    RetentionDays logRetention,
    String ecrRepositoryPrefix) {

  /**
   * Heap sized from the container limit, leaving room for direct buffers, metaspace and threads;
   * on heap exhaustion exit at once (a non-zero exit, not retried) instead of limping along.
   */
  static final String JAVA_TOOL_OPTIONS = "-XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError";

  CpuArchitecture cpuArchitecture() {
    return arm64 ? CpuArchitecture.ARM64 : CpuArchitecture.X86_64;
  }

  OperatingSystemFamily operatingSystemFamily() {
    return OperatingSystemFamily.LINUX;
  }

  /** The environment every job gets, before its own variables. */
  Map<String, String> baseEnvironment() {
    return Map.of("JAVA_TOOL_OPTIONS", JAVA_TOOL_OPTIONS);
  }

  /** The secrets every job gets: the registry credentials. */
  Map<String, Secret> secrets() {
    return Map.of(RegistryCredentials.ENV_VAR, Secret.fromSecretsManager(credentials));
  }

  /**
   * A task execution role that may pull {@code image}; the container definitions add reading the
   * secret and writing logs.
   */
  static Role executionRole(Construct scope, JobImage image) {
    Role role =
        Role.Builder.create(scope, "ExecutionRole")
            .assumedBy(new ServicePrincipal("ecs-tasks.amazonaws.com"))
            .description("ecr-mirror: pulls the job image, reads the credentials secret, writes logs")
            .build();
    image.grantPull(role);
    // After the first grant, so that the role's policy exists and carries the suppression.
    suppressWildcards(
        role,
        "Pulling the job image from ECR needs ecr:GetAuthorizationToken, which only accepts"
            + " resource *; the pull actions themselves are scoped to the image's repository.",
        "Resource::*");
    return role;
  }

  /** ECR login: {@code ecr:GetAuthorizationToken} accepts only resource {@code *}. */
  static PolicyStatement ecrLogin() {
    return PolicyStatement.Builder.create()
        .sid("EcrLogin")
        .actions(List.of("ecr:GetAuthorizationToken"))
        .resources(List.of("*"))
        .build();
  }

  /** {@code events:PutEvents} on the account's default event bus and nowhere else, under {@code sid}. */
  static PolicyStatement putDefaultBusEvents(String sid) {
    return PolicyStatement.Builder.create()
        .sid(sid)
        .actions(List.of("events:PutEvents"))
        .resources(
            List.of(
                "arn:" + Aws.PARTITION + ":events:" + Aws.REGION + ":" + Aws.ACCOUNT_ID + ":event-bus/default"))
        .build();
  }

  /**
   * Records why the IAM policies of {@code role} use the given wildcard resources (cdk-nag
   * findings, e.g. {@code Resource::*}); any other wildcard still fails the nag check.
   */
  static void suppressWildcards(Role role, String reason, Object... findings) {
    NagSuppressions.addResourceSuppressions(
        role,
        List.of(
            NagPackSuppression.builder()
                .id("AwsSolutions-IAM5")
                .reason(reason)
                .appliesTo(List.of(findings))
                .build()),
        true);
  }

  /** The cdk-nag finding for {@link #ecrRepositoryArns()}. */
  RegexAppliesTo ecrRepositoryFinding() {
    return RegexAppliesTo.builder()
        .regex("/^Resource::arn:<AWS::Partition>:ecr:\\*:\\*:repository\\/.*$/g")
        .build();
  }

  /** A job role: what the application itself may call. */
  static Role jobRole(Construct scope, String description) {
    return Role.Builder.create(scope, "JobRole")
        .assumedBy(new ServicePrincipal("ecs-tasks.amazonaws.com"))
        .description(description)
        .build();
  }

  /**
   * Retry what the infrastructure broke, never what the application decided: a reclaimed Spot
   * task, a lost host, an image pull or task start-up failure is retried; any exit code ends the
   * job. The worker's exit code says what its failure means (1 transient, 2 bad usage, 3 permanent,
   * 4 conflict, 5 rate-limited) and the controller reads it to choose the row's status and next
   * attempt: a Batch retry would repeat a conflict or a refusal at once, and spend a rate budget.
   * Batch allows five conditions; failures matching none (no exit code, unknown reason) are retried.
   */
  static List<RetryStrategy> retryStrategies() {
    return List.of(
        retry(CustomReason.builder().onStatusReason("Host EC2*").build()),
        retry(CustomReason.builder().onStatusReason("Your Spot Task was interrupted*").build()),
        retry(CustomReason.builder().onReason("CannotPullContainerError*").build()),
        retry(CustomReason.builder().onReason("ResourceInitializationError*").build()),
        RetryStrategy.of(Action.EXIT, Reason.custom(CustomReason.builder().onExitCode("*").build())));
  }

  private static RetryStrategy retry(CustomReason reason) {
    return RetryStrategy.of(Action.RETRY, Reason.custom(reason));
  }

  /** The ARN pattern of the ECR repositories the jobs may touch, in any region and account. */
  String ecrRepositoryArns() {
    return "arn:" + Aws.PARTITION + ":ecr:*:*:repository/" + ecrRepositoryPrefix + "*";
  }
}
