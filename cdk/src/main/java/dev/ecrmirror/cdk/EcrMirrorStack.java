package dev.ecrmirror.cdk;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.constructs.Construct;

/**
 * The ecr-mirror stack: wires the table, queues, credentials, Batch compute, jobs and triggers.
 *
 * <p>The stack is environment-agnostic (no account or region at synth time) so that nothing is
 * looked up and {@code cdk synth} runs offline; the deploying credentials pick the account and
 * region.
 */
public final class EcrMirrorStack extends Stack {

  public EcrMirrorStack(Construct scope, String id, StackProps props, StackConfig config) {
    super(scope, id, props);

    if (config.spot() && config.arm64()) {
      Annotations.of(this)
          .addWarningV2(
              "ecr-mirror:spot-arm64",
              "Fargate Spot has supported X86_64 tasks only; if Batch rejects the compute"
                  + " environment, deploy with -c spot=false");
    }

    var table = new MirrorTable(this, "MirrorTable");
    var tagTable = new TagStateTable(this, "TagStateTable");
    var events = new EventsQueue(this, "Events");
    var credentials = new RegistryCredentials(this, "RegistryCredentials");
    Optional<ImageRepositories> repositories =
        config.imageRepositoryPath().map(path -> new ImageRepositories(this, "Images", path));
    var network = new BatchNetwork(this, "Network", config.network());
    var compute =
        new BatchCompute(
            this, "Compute", new BatchCompute.Props(network, config.spot(), config.maxVcpus()));

    var platform =
        new JobPlatform(
            network,
            config.arm64(),
            credentials.secret(),
            retention(config.logRetentionDays()),
            config.ecrRepositoryPrefix());
    var worker =
        new WorkerJob(
            this,
            "Worker",
            new WorkerJob.Props(
                platform,
                JobImage.of(
                    this,
                    "WorkerImage",
                    config,
                    "mirror-worker",
                    config.workerImage(),
                    repositories.map(r -> r.repository("mirror-worker"))),
                config.workerVcpus(),
                config.workerMemoryMib(),
                Duration.minutes(config.workerTimeoutMinutes())));
    Optional<RunReports> runReports =
        config.runReportDays().map(days -> new RunReports(this, "RunReports", days));
    var controller =
        new ControllerJob(
            this,
            "Controller",
            new ControllerJob.Props(
                platform,
                JobImage.of(
                    this,
                    "ControllerImage",
                    config,
                    "controller",
                    config.controllerImage(),
                    repositories.map(r -> r.repository("controller"))),
                table.table(),
                tagTable.table(),
                events.queue(),
                compute.mirrorQueue(),
                worker,
                config.fromEcrTags(),
                config.alerts()
                    .slackWebhookSecretArn()
                    .map(
                        arn ->
                            Secret.fromSecretCompleteArn(this, "SlackWebhookSecret", arn)),
                config.alerts().slackChannel(),
                runReports));
    new Triggers(
        this,
        "Triggers",
        new Triggers.Props(
            config.schedule(),
            compute.controlQueue(),
            controller.syncJobDefinition(),
            controller.eventsJobDefinition(),
            events.queue(),
            events.deadLetterQueue(),
            config.eventsExcludePrefix()));

    Optional<Notifications> notifications =
        config.alerts().topic()
            ? Optional.of(new Notifications(this, "Notifications", config.alerts().email()))
            : Optional.empty();
    new Alarms(
        this,
        "Alarms",
        new Alarms.Props(
            table.table(),
            events.deadLetterQueue(),
            List.of(compute.controlQueue(), compute.mirrorQueue()),
            config.schedulePeriod(),
            config.schedule().isPresent(),
            config.alerts().failedRuns(),
            notifications.map(Notifications::topic)));
    notifications.ifPresent(
        n -> output("NotifyTopicArn", "SNS topic of alarms and of rows that fail or recover", n.topic().getTopicArn()));

    runReports.ifPresent(
        r -> output("RunReportUrl", "The scheduled run's report; earlier runs are its previous versions", r.url()));
    output("MirrorTableName", "The mirror table: one row per source image", table.table().getTableName());
    output(
        "TagTableName",
        "The tag-state table: per-tag digests of repository rows (controller only)",
        tagTable.table().getTableName());
    output("EventsQueueUrl", "Queue of ECR push events read by the controller", events.queue().getQueueUrl());
    output(
        "DeadLetterQueueUrl",
        "Events that could not be delivered or processed",
        events.deadLetterQueue().getQueueUrl());
    output(
        "RegistryCredentialsSecretArn",
        "Registry credentials (docker config.json) for both jobs",
        credentials.secret().getSecretArn());
    output("ControlJobQueueArn", "Job queue of the controller", compute.controlQueue().getJobQueueArn());
    output("MirrorJobQueueArn", "Job queue of mirror-worker jobs", compute.mirrorQueue().getJobQueueArn());
    output(
        "ControllerJobDefinitionArn",
        "Controller job definition (sync)",
        controller.syncJobDefinition().getJobDefinitionArn());
    output(
        "ControllerEventsJobDefinitionArn",
        "Controller job definition (sync --events)",
        controller.eventsJobDefinition().getJobDefinitionArn());
    output(
        "WorkerJobDefinitionArn",
        "mirror-worker job definition (parameters source, dest; optional pin: TAG@sha256:... pairs)",
        worker.jobDefinition().getJobDefinitionArn());
    output(
        "AdHocMirrorCommand",
        "Mirror one image now (edit source and dest; pin is optional)",
        "aws batch submit-job --job-name mirror-adhoc --job-queue "
            + compute.mirrorQueue().getJobQueueArn()
            + " --job-definition "
            + worker.jobDefinition().getJobDefinitionArn()
            + " --parameters source=docker.io/library/alpine:3.20,dest="
            + getAccount()
            + ".dkr.ecr."
            + getRegion()
            + "."
            + getUrlSuffix()
            + "/mirror/alpine:3.20");
    output(
        "PushImagesCommand",
        "Build and push both job images where the job definitions expect them (run from the"
            + " project root after mvn package)",
        pushImagesCommand(config, repositories));
  }

  /**
   * {@code java -jar images/target/images.jar --to <registry>/<path>}, with {@code --tag} when the
   * stack expects another tag than the one {@code images.jar} pushes by default.
   */
  static String pushImagesCommand(StackConfig config, Optional<ImageRepositories> repositories) {
    String prefix =
        config.imagePrefix().isEmpty()
            ? repositories
                .map(ImageRepositories::imagePrefix)
                .orElse(
                    Aws.ACCOUNT_ID + ".dkr.ecr." + Aws.REGION + "." + Aws.URL_SUFFIX + "/"
                        + StackConfig.DEFAULT_REPOSITORY_PATH)
            : config.imagePrefix();
    String tag =
        config.imageTag().equals(StackConfig.DEFAULT_IMAGE_TAG) ? "" : " --tag " + config.imageTag();
    return "java -jar images/target/images.jar --to " + prefix + tag;
  }

  private void output(String id, String description, String value) {
    CfnOutput.Builder.create(this, id).description(description).value(value).build();
  }

  /** The retention periods CloudWatch Logs accepts, in days. */
  private static final Map<Integer, RetentionDays> RETENTION_DAYS = retentionDays();

  /** Maps {@code days} to a retention CloudWatch Logs accepts, naming the valid ones otherwise. */
  static RetentionDays retention(int days) {
    RetentionDays retention = RETENTION_DAYS.get(days);
    if (retention == null) {
      throw new IllegalArgumentException(
          "context logRetentionDays must be one of " + RETENTION_DAYS.keySet() + ", got: " + days);
    }
    return retention;
  }

  private static Map<Integer, RetentionDays> retentionDays() {
    var days = new LinkedHashMap<Integer, RetentionDays>();
    days.put(1, RetentionDays.ONE_DAY);
    days.put(3, RetentionDays.THREE_DAYS);
    days.put(5, RetentionDays.FIVE_DAYS);
    days.put(7, RetentionDays.ONE_WEEK);
    days.put(14, RetentionDays.TWO_WEEKS);
    days.put(30, RetentionDays.ONE_MONTH);
    days.put(60, RetentionDays.TWO_MONTHS);
    days.put(90, RetentionDays.THREE_MONTHS);
    days.put(120, RetentionDays.FOUR_MONTHS);
    days.put(150, RetentionDays.FIVE_MONTHS);
    days.put(180, RetentionDays.SIX_MONTHS);
    days.put(365, RetentionDays.ONE_YEAR);
    days.put(400, RetentionDays.THIRTEEN_MONTHS);
    days.put(545, RetentionDays.EIGHTEEN_MONTHS);
    days.put(731, RetentionDays.TWO_YEARS);
    days.put(1096, RetentionDays.THREE_YEARS);
    days.put(1827, RetentionDays.FIVE_YEARS);
    days.put(2192, RetentionDays.SIX_YEARS);
    days.put(2557, RetentionDays.SEVEN_YEARS);
    days.put(2922, RetentionDays.EIGHT_YEARS);
    days.put(3288, RetentionDays.NINE_YEARS);
    days.put(3653, RetentionDays.TEN_YEARS);
    return Collections.unmodifiableMap(days);
  }
}
