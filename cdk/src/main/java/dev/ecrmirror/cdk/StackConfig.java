package dev.ecrmirror.cdk;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import software.constructs.Node;

/**
 * The deployment options of the stack, read from CDK context ({@code -c key=value} or cdk.json).
 *
 * <p>Values from the command line arrive as strings and values from cdk.json or tests may be
 * typed, so every value is read through its string form and validated here, once, with a message
 * that names the context key.
 *
 * @param imagePrefix registry prefix of both job images; empty means this account's ECR under {@code ecr-mirror}
 * @param imageTag tag of both job images
 * @param controllerImage full controller image URI overriding prefix and tag, if set
 * @param workerImage full worker image URI overriding prefix and tag, if set
 * @param network where the Batch tasks run
 * @param spot whether Batch runs on Fargate Spot rather than on-demand Fargate (default: yes on X86_64)
 * @param arm64 whether the tasks run on Graviton (ARM64) rather than X86_64
 * @param maxVcpus upper bound of the mirror compute environment
 * @param workerVcpus vCPUs of one worker task
 * @param workerMemoryMib memory of one worker task, MiB
 * @param workerTimeoutMinutes how long one worker attempt may run
 * @param schedule EventBridge schedule expression of the controller; empty means no schedule
 * @param logRetentionDays retention of both job log groups
 * @param ecrRepositoryPrefix repository name prefix scoping the jobs' ECR permissions; empty means any
 * @param fromEcrTags whether the scheduled controller runs {@code sync --from-ecr-tags}
 * @param createImageRepositories whether the stack creates the two image repositories (when the
 *     images live in this account's ECR)
 * @param eventsExcludePrefix repository name prefix whose pushes the ECR push rule ignores (the
 *     mirror destinations, e.g. {@code mirror/}); empty means every push starts an events run
 * @param alerts where the controller reports (Slack, an SNS topic) and when the alarms fire
 * @param runReportDays with context {@code runReports}, how many days the bucket keeps the reports
 *     of earlier scheduled runs; empty means no report bucket
 */
public record StackConfig(
    String imagePrefix,
    String imageTag,
    Optional<String> controllerImage,
    Optional<String> workerImage,
    NetworkProps network,
    boolean spot,
    boolean arm64,
    int maxVcpus,
    double workerVcpus,
    int workerMemoryMib,
    int workerTimeoutMinutes,
    Optional<String> schedule,
    int logRetentionDays,
    String ecrRepositoryPrefix,
    boolean fromEcrTags,
    boolean createImageRepositories,
    Optional<String> eventsExcludePrefix,
    Alerts alerts,
    Optional<Integer> runReportDays) {

  /**
   * How the deployed mirror tells someone that something failed.
   *
   * @param slackWebhookSecretArn a Secrets Manager secret holding a Slack incoming webhook URL (plain
   *     text), injected into the controller jobs; empty means no Slack. With {@code slackChannel}
   *     it holds a bot token instead, and the controller posts to that channel
   * @param slackChannel the channel a bot posts to (context {@code slackChannel}); empty for a webhook
   * @param topic whether to create an SNS topic fed by the alarms and by the ecr-mirror events of
   *     rows that fail or recover
   * @param email an address the topic mails (implies the topic)
   * @param failedRuns scheduled runs in a row with failed rows before the failed-rows alarm fires
   */
  public record Alerts(
      Optional<String> slackWebhookSecretArn, boolean topic, Optional<String> email, int failedRuns,
      Optional<String> slackChannel) {}

  /** The repository path of both images when context {@code imagePrefix} is not set. */
  public static final String DEFAULT_REPOSITORY_PATH = "ecr-mirror";

  /** An ECR registry host, optionally followed by a repository path. */
  private static final Pattern ECR_PREFIX =
      Pattern.compile(
          "\\d{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(?:\\.cn)?(?:/(?<path>[a-z0-9._/-]+))?");

  /** The project version, which is also the tag the images module pushes. */
  public static final String DEFAULT_IMAGE_TAG = "0.1.0";

  /** Reads and validates every option from the context of {@code node}, applying defaults. */
  public static StackConfig fromContext(Node node) {
    var ctx = new Context(node);
    boolean arm64 =
        switch (ctx.string("cpuArchitecture").orElse("X86_64").toUpperCase(Locale.ROOT)) {
          case "X86_64" -> false;
          case "ARM64" -> true;
          default -> throw new IllegalArgumentException(
              "context cpuArchitecture must be X86_64 or ARM64");
        };
    return new StackConfig(
        ctx.string("imagePrefix").map(p -> p.replaceAll("/+$", "")).orElse(""),
        ctx.string("imageTag").orElse(DEFAULT_IMAGE_TAG),
        ctx.string("controllerImage"),
        ctx.string("workerImage"),
        network(ctx),
        // Fargate Spot has run X86_64 tasks only, so Graviton defaults to on-demand.
        ctx.bool("spot").orElse(!arm64),
        arm64,
        ctx.integer("maxVcpus", 1, 10_000).orElse(32),
        ctx.decimal("workerVcpus").orElse(1.0),
        ctx.integer("workerMemoryMiB", 512, 122_880).orElse(2048),
        ctx.integer("workerTimeoutMinutes", 1, 14 * 24 * 60).orElse(240),
        schedule(ctx.string("schedule").orElse("rate(1 hour)")),
        ctx.integer("logRetentionDays", 1, 3653).orElse(30),
        ctx.string("ecrRepositoryPrefix").orElse(""),
        ctx.bool("fromEcrTags").orElse(false),
        ctx.bool("createImageRepositories").orElse(true),
        ctx.string("eventsExcludePrefix").map(StackConfig::repositoryPrefix),
        alerts(ctx),
        runReportDays(ctx));
  }

  /**
   * The repository path the stack creates {@code <path>/controller} and {@code <path>/mirror-worker}
   * under: {@value #DEFAULT_REPOSITORY_PATH} by default, or the path of an ECR {@code imagePrefix}
   * (empty for the registry root); nothing when the images live in another registry or context
   * {@code createImageRepositories} is false.
   */
  public Optional<String> imageRepositoryPath() {
    if (!createImageRepositories) {
      return Optional.empty();
    }
    if (imagePrefix.isEmpty()) {
      return Optional.of(DEFAULT_REPOSITORY_PATH);
    }
    var ecr = ECR_PREFIX.matcher(imagePrefix);
    if (!ecr.matches()) {
      return Optional.empty();
    }
    return Optional.of(ecr.group("path") == null ? "" : ecr.group("path"));
  }

  private static NetworkProps network(Context ctx) {
    boolean privateSubnets = ctx.bool("privateSubnets").orElse(false);
    Optional<Boolean> assignPublicIp = ctx.bool("assignPublicIp");
    if (privateSubnets && assignPublicIp.orElse(false)) {
      throw new IllegalArgumentException(
          "context privateSubnets=true runs tasks without public IPs; drop assignPublicIp=true");
    }
    Optional<String> vpcId = ctx.string("vpcId");
    if (vpcId.isEmpty()) {
      if (ctx.string("subnetIds").isPresent()
          || ctx.string("securityGroupId").isPresent()
          || ctx.string("routeTableIds").isPresent()) {
        throw new IllegalArgumentException(
            "context subnetIds, securityGroupId and routeTableIds need vpcId");
      }
      return privateSubnets ? NetworkProps.createPrivateVpc() : NetworkProps.createVpc();
    }
    List<String> subnets = list(ctx.string("subnetIds"));
    if (subnets.isEmpty()) {
      throw new IllegalArgumentException("context vpcId needs subnetIds (comma-separated)");
    }
    List<String> routeTables = list(ctx.string("routeTableIds"));
    if (privateSubnets && routeTables.isEmpty()) {
      throw new IllegalArgumentException(
          "context privateSubnets=true with vpcId needs routeTableIds (comma-separated route tables"
              + " of the subnets), for the S3 and DynamoDB gateway endpoints");
    }
    if (!privateSubnets && !routeTables.isEmpty()) {
      throw new IllegalArgumentException(
          "context routeTableIds is only used with privateSubnets=true");
    }
    return new NetworkProps(
        vpcId,
        subnets,
        ctx.string("securityGroupId"),
        assignPublicIp.orElse(false),
        privateSubnets,
        routeTables);
  }

  private static List<String> list(Optional<String> commaSeparated) {
    return Arrays.stream(commaSeparated.orElse("").split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  private static String repositoryPrefix(String prefix) {
    // ECR repository names: lowercase letters, digits and . _ - / (no leading separator).
    if (!prefix.matches("[a-z0-9][a-z0-9._/-]*")) {
      throw new IllegalArgumentException(
          "context eventsExcludePrefix must be the start of an ECR repository name (lowercase"
              + " letters, digits, '.', '_', '-', '/'), e.g. mirror/, got: " + prefix);
    }
    return prefix;
  }

  private static Alerts alerts(Context ctx) {
    Optional<String> secret = ctx.string("slackWebhookSecretArn");
    secret.ifPresent(
        arn -> {
          if (!arn.matches("arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\\d{12}:secret:.+")) {
            throw new IllegalArgumentException(
                "context slackWebhookSecretArn must be a Secrets Manager secret ARN"
                    + " (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-xxxxxx), got: " + arn);
          }
        });
    Optional<String> email = ctx.string("notifyEmail");
    email.ifPresent(
        address -> {
          if (!address.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
            throw new IllegalArgumentException(
                "context notifyEmail must be an email address, got: " + address);
          }
        });
    return new Alerts(
        secret,
        ctx.bool("notifyTopic").orElse(false) || email.isPresent(),
        email,
        ctx.integer("alarmFailedRuns", 1, 24).orElse(2),
        slackChannel(ctx, secret));
  }

  private static Optional<Integer> runReportDays(Context ctx) {
    Optional<Integer> days = ctx.integer("runReportDays", 1, 3650);
    if (!ctx.bool("runReports").orElse(false)) {
      if (days.isPresent()) {
        throw new IllegalArgumentException("context runReportDays needs runReports=true");
      }
      return Optional.empty();
    }
    return Optional.of(days.orElse(90));
  }

  private static Optional<String> slackChannel(Context ctx, Optional<String> secret) {
    Optional<String> channel = ctx.string("slackChannel");
    if (channel.isPresent() && secret.isEmpty()) {
      throw new IllegalArgumentException(
          "context slackChannel needs slackWebhookSecretArn: a secret holding the bot's token");
    }
    return channel;
  }

  /**
   * How often the scheduled controller runs: a {@code rate(...)} expression's period, else (a cron
   * expression, or no schedule) an hour.
   */
  public java.time.Duration schedulePeriod() {
    var rate =
        Pattern.compile("rate\\((\\d+) (minute|minutes|hour|hours|day|days)\\)")
            .matcher(schedule.orElse(""));
    if (!rate.matches()) {
      return java.time.Duration.ofHours(1);
    }
    long n = Long.parseLong(rate.group(1));
    return switch (rate.group(2)) {
      case "minute", "minutes" -> java.time.Duration.ofMinutes(n);
      case "hour", "hours" -> java.time.Duration.ofHours(n);
      default -> java.time.Duration.ofDays(n);
    };
  }

  private static Optional<String> schedule(String expression) {
    if (expression.equalsIgnoreCase("none")) {
      return Optional.empty();
    }
    if (!expression.matches("(rate|cron)\\(.+\\)")) {
      throw new IllegalArgumentException(
          "context schedule must be rate(...), cron(...) or none, got: " + expression);
    }
    return Optional.of(expression);
  }

  /** Typed reads of context values that may be strings or JSON values. */
  private record Context(Node node) {

    Optional<String> string(String key) {
      Object value = node.tryGetContext(key);
      return value == null || value.toString().isBlank()
          ? Optional.empty()
          : Optional.of(value.toString().strip());
    }

    Optional<Boolean> bool(String key) {
      return string(key)
          .map(
              v ->
                  switch (v.toLowerCase(Locale.ROOT)) {
                    case "true" -> true;
                    case "false" -> false;
                    default -> throw new IllegalArgumentException(
                        "context " + key + " must be true or false, got: " + v);
                  });
    }

    Optional<Integer> integer(String key, int min, int max) {
      return string(key)
          .map(
              v -> {
                double parsed;
                try {
                  // JSON numbers from cdk.json may arrive as doubles (30.0).
                  parsed = Double.parseDouble(v);
                } catch (NumberFormatException e) {
                  throw new IllegalArgumentException(
                      "context " + key + " must be a whole number, got: " + v, e);
                }
                if (parsed != Math.rint(parsed) || parsed < min || parsed > max) {
                  throw new IllegalArgumentException(
                      "context " + key + " must be a whole number from " + min + " to " + max
                          + ", got: " + v);
                }
                return (int) parsed;
              });
    }

    Optional<Double> decimal(String key) {
      return string(key)
          .map(
              v -> {
                try {
                  return Double.parseDouble(v);
                } catch (NumberFormatException e) {
                  throw new IllegalArgumentException(
                      "context " + key + " must be a number, got: " + v, e);
                }
              });
    }
  }
}
