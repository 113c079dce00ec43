package dev.ecrmirror.cdk;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.github.cdklabs.cdknag.RegexAppliesTo;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Size;
import software.amazon.awscdk.services.batch.EcsFargateContainerDefinition;
import software.amazon.awscdk.services.batch.EcsJobDefinition;
import software.amazon.awscdk.services.batch.IJobDefinition;
import software.amazon.awscdk.services.batch.IJobQueue;
import software.amazon.awscdk.services.batch.Secret;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.ecs.AwsLogDriverProps;
import software.amazon.awscdk.services.ecs.LogDriver;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * The controller job definitions: {@code sync} (scan the whole table) and {@code sync --events}
 * (check the rows touched by queued ECR push events), both submitting worker jobs for drift.
 *
 * <p>Events mode has a job definition of its own rather than an EventBridge command override:
 * each mode is then a plain, visible job definition that can also be started by hand.
 */
public final class ControllerJob extends Construct {

  /** The mirror table name. */
  public static final String ENV_TABLE = "ECR_MIRROR_TABLE";
  /** The ARN of the job queue worker jobs are submitted to. */
  public static final String ENV_JOB_QUEUE = "ECR_MIRROR_JOB_QUEUE";
  /** The ARN of the worker job definition. */
  public static final String ENV_JOB_DEFINITION = "ECR_MIRROR_JOB_DEFINITION";
  /** The URL of the ECR push events queue. */
  public static final String ENV_EVENTS_QUEUE_URL = "ECR_MIRROR_EVENTS_QUEUE_URL";
  /** The tag-state table name (per-tag digests of repository rows). */
  public static final String ENV_TAG_TABLE = "ECR_MIRROR_TAG_TABLE";
  /** The EventBridge bus the controller puts its events on. */
  public static final String ENV_EVENT_BUS = "ECR_MIRROR_EVENT_BUS";
  /** {@code emf}: the controller prints its metrics in the Embedded Metric Format. */
  public static final String ENV_METRICS = "ECR_MIRROR_METRICS";
  /** The Slack incoming webhook URL, from a secret. */
  public static final String ENV_SLACK_WEBHOOK = "ECR_MIRROR_SLACK_WEBHOOK";
  /** A Slack bot's token, from a secret, when the controller posts to a channel as a bot. */
  public static final String ENV_SLACK_TOKEN = "ECR_MIRROR_SLACK_TOKEN";
  /** The channel the bot posts to. */
  public static final String ENV_SLACK_CHANNEL = "ECR_MIRROR_SLACK_CHANNEL";

  static final double VCPUS = 0.5;
  static final int MEMORY_MIB = 1024;
  static final Duration TIMEOUT = Duration.hours(1);
  static final int ATTEMPTS = 2;

  private final Role jobRole;
  private final EcsJobDefinition syncJobDefinition;
  private final EcsJobDefinition eventsJobDefinition;

  /**
   * Options of the controller jobs.
   *
   * @param platform what all jobs share
   * @param image the controller image (entrypoint {@code java -jar /app/controller.jar})
   * @param table the mirror table
   * @param tagTable the tag-state table
   * @param eventsQueue the queue of ECR push events
   * @param mirrorQueue the job queue worker jobs go to
   * @param worker the worker job definition to submit
   * @param fromEcrTags whether the scheduled sync first derives rows from ECR repository tags
   * @param slackWebhook a secret holding a Slack incoming webhook URL (or, with {@code slackChannel}, a
   *     bot token), if the controller posts to Slack
   * @param slackChannel the channel a bot posts to; empty for a webhook
   * @param runReports where the scheduled run writes its run report, if anywhere
   */
  public record Props(
      JobPlatform platform,
      JobImage image,
      ITable table,
      ITable tagTable,
      IQueue eventsQueue,
      IJobQueue mirrorQueue,
      WorkerJob worker,
      boolean fromEcrTags,
      Optional<ISecret> slackWebhook,
      Optional<String> slackChannel,
      Optional<RunReports> runReports) {}

  public ControllerJob(Construct scope, String id, Props props) {
    super(scope, id);
    JobPlatform platform = props.platform();
    var logGroup = LogGroup.Builder.create(this, "LogGroup").retention(platform.logRetention()).build();
    var executionRole = JobPlatform.executionRole(this, props.image());
    this.jobRole =
        JobPlatform.jobRole(this, "ecr-mirror controller: checks drift, submits worker jobs");
    grantJobPermissions(props);
    // The controller checks digests in other accounts' ECR with the same roles the worker uses.
    DestinationSettings destinations = DestinationSettings.fromContext(getNode());
    destinations.grantAssumeRoles(jobRole);

    Map<String, String> environment = new HashMap<>(platform.baseEnvironment());
    environment.putAll(destinations.controllerEnvironment());
    environment.put(ENV_TABLE, props.table().getTableName());
    environment.put(ENV_JOB_QUEUE, props.mirrorQueue().getJobQueueArn());
    environment.put(ENV_JOB_DEFINITION, props.worker().jobDefinition().getJobDefinitionArn());
    environment.put(ENV_EVENTS_QUEUE_URL, props.eventsQueue().getQueueUrl());
    environment.put(ENV_TAG_TABLE, props.tagTable().getTableName());
    environment.put(ENV_EVENT_BUS, "default");
    props.slackChannel().ifPresent(c -> environment.put(ENV_SLACK_CHANNEL, c));
    environment.put(ENV_METRICS, "emf");

    var logging =
        LogDriver.awsLogs(AwsLogDriverProps.builder().logGroup(logGroup).streamPrefix("controller").build());
    // Only the scheduled run reports: an events run covers the rows one push touched.
    List<String> sync = new ArrayList<>(List.of("sync"));
    if (props.fromEcrTags()) {
      sync.add("--from-ecr-tags");
    }
    props.runReports().ifPresent(reports -> {
      sync.addAll(List.of("--report", reports.url()));
      reports.grantWrite(jobRole);
    });
    this.syncJobDefinition =
        jobDefinition(
            "Sync",
            sync,
            props,
            environment,
            executionRole,
            logging);
    this.eventsJobDefinition =
        jobDefinition("Events", List.of("sync", "--events"), props, environment, executionRole, logging);
  }

  private EcsJobDefinition jobDefinition(
      String name,
      List<String> command,
      Props props,
      Map<String, String> environment,
      Role executionRole,
      LogDriver logging) {
    JobPlatform platform = props.platform();
    var container =
        EcsFargateContainerDefinition.Builder.create(this, name + "Container")
            .image(props.image().containerImage())
            .cpu(VCPUS)
            .memory(Size.mebibytes(MEMORY_MIB))
            .command(command)
            .environment(environment)
            .secrets(secrets(props))
            .jobRole(jobRole)
            .executionRole(executionRole)
            .logging(logging)
            .assignPublicIp(platform.network().assignPublicIp())
            .fargateCpuArchitecture(platform.cpuArchitecture())
            .fargateOperatingSystemFamily(platform.operatingSystemFamily())
            .build();
    return EcsJobDefinition.Builder.create(this, name + "JobDefinition")
        .container(container)
        .retryAttempts(ATTEMPTS)
        .retryStrategies(JobPlatform.retryStrategies())
        .timeout(TIMEOUT)
        .propagateTags(true)
        .build();
  }

  /** The registry credentials, and the Slack webhook when there is one. */
  private static Map<String, Secret> secrets(Props props) {
    Map<String, Secret> secrets = new HashMap<>(props.platform().secrets());
    props.slackWebhook().ifPresent(s -> secrets.put(props.slackChannel().isPresent() ? ENV_SLACK_TOKEN
        : ENV_SLACK_WEBHOOK, Secret.fromSecretsManager(s)));
    return secrets;
  }

  private void grantJobPermissions(Props props) {
    props.table().grantReadWriteData(jobRole);
    props.tagTable().grantReadWriteData(jobRole);
    props.eventsQueue().grantConsumeMessages(jobRole);
    props.worker().grantSubmit(jobRole, props.mirrorQueue());
    jobRole.addToPolicy(
        PolicyStatement.Builder.create()
            .sid("ReconcileSubmittedJobs")
            .actions(List.of("batch:DescribeJobs"))
            .resources(List.of("*"))
            .build());
    jobRole.addToPolicy(
        PolicyStatement.Builder.create()
            .sid("ReadImageDigests")
            .actions(
                List.of(
                    "ecr:DescribeImages",
                    "ecr:BatchGetImage",
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:GetDownloadUrlForLayer"))
            .resources(List.of(props.platform().ecrRepositoryArns()))
            .build());
    jobRole.addToPolicy(JobPlatform.ecrLogin());
    jobRole.addToPolicy(JobPlatform.putDefaultBusEvents("PutMirrorEvents"));
    if (props.fromEcrTags()) {
      // sync --from-ecr-tags lists this region's repositories and reads their resource tags.
      // Listing every repository is authorized against repository/*, so no name prefix applies.
      jobRole.addToPolicy(
          PolicyStatement.Builder.create()
              .sid("ReadRepositoryTags")
              .actions(List.of("ecr:DescribeRepositories", "ecr:ListTagsForResource"))
              .resources(List.of(ecrRepositoriesHere()))
              .build());
    }
    JobPlatform.suppressWildcards(
        jobRole,
        "batch:DescribeJobs and ecr:GetAuthorizationToken only accept resource *; sources and"
            + " destinations are rows of the mirror table, in any region and account, so ECR reads"
            + " are scoped to repository ARNs (by name prefix when ecrRepositoryPrefix is set);"
            + " --from-ecr-tags reads the tags of every repository of this account and region;"
            + " the mirror table's index/* is its SourceRepository index, which events runs query.",
        "Resource::*",
        props.platform().ecrRepositoryFinding(),
        ecrRepositoriesHereFinding(),
        RegexAppliesTo.builder().regex("/^Resource::<MirrorTable[0-9A-F]*\\.Arn>\\/index\\/\\*$/g").build());
  }

  /** Every ECR repository of the stack's account and region. */
  private String ecrRepositoriesHere() {
    return "arn:" + Aws.PARTITION + ":ecr:" + Aws.REGION + ":" + Aws.ACCOUNT_ID + ":repository/*";
  }

  private static RegexAppliesTo ecrRepositoriesHereFinding() {
    return RegexAppliesTo.builder()
        .regex("/^Resource::arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository\\/\\*$/g")
        .build();
  }

  /** The job definition running {@code sync}: the scheduled full check. */
  public IJobDefinition syncJobDefinition() {
    return syncJobDefinition;
  }

  /** The job definition running {@code sync --events}: started by ECR pushes. */
  public IJobDefinition eventsJobDefinition() {
    return eventsJobDefinition;
  }
}
