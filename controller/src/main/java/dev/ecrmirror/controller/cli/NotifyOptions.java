package dev.ecrmirror.controller.cli;

import dev.ecrmirror.controller.aws.AwsClients;
import dev.ecrmirror.controller.notify.MirrorEvents;
import dev.ecrmirror.controller.notify.Notifications;
import dev.ecrmirror.controller.notify.SlackMessage;
import dev.ecrmirror.controller.notify.SlackWebhook;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * How {@code sync} reports a run (a picocli mixin): EventBridge events, one Slack message, EMF
 * metrics. All off unless asked; the deployed controller job asks through its environment.
 */
final class NotifyOptions {
  /** The Slack webhook's variable: a secret, so it is read here and never shown as a default in --help. */
  static final String ENV_SLACK_WEBHOOK = "ECR_MIRROR_SLACK_WEBHOOK";

  @Option(names = "--event-bus", paramLabel = "BUS", defaultValue = "${env:ECR_MIRROR_EVENT_BUS}",
      description = "Put an EventBridge event (source ecr-mirror) on this bus (default, a name or an ARN) for each row "
          + "whose outcome changed. Default: $ECR_MIRROR_EVENT_BUS, else none (off).")
  String eventBus;

  @Option(names = "--slack-webhook", paramLabel = "URL",
      description = "Post one message per run that has anything to report to this Slack incoming webhook. "
          + "Default: $ECR_MIRROR_SLACK_WEBHOOK (prefer it: a URL on the command line is visible to other users).")
  String slackWebhook;

  @Option(names = "--slack-channel", paramLabel = "CHANNEL", defaultValue = "${env:ECR_MIRROR_SLACK_CHANNEL}",
      description = "Post as a bot to this channel (an ID such as C0123456789, or #name) instead of a webhook; the bot's "
          + "token comes from $ECR_MIRROR_SLACK_TOKEN (it needs chat:write). Default: $ECR_MIRROR_SLACK_CHANNEL.")
  String slackChannel;

  /** The bot token's variable: a secret, read from the environment only, never an option (it would show in ps). */
  static final String ENV_SLACK_TOKEN = "ECR_MIRROR_SLACK_TOKEN";

  /** Where the bot posts: Slack's Web API, or a stand-in for tests. */
  @Option(names = "--slack-api-url", paramLabel = "URL", hidden = true)
  URI slackApi = SlackWebhook.POST_MESSAGE;

  @Option(names = "--slack-errors-only", description = "Post to Slack only when some row is failing, listing only those.")
  boolean slackErrorsOnly;

  @Option(names = "--slack-header", paramLabel = "TEXT", defaultValue = "ecr-mirror",
      description = "The Slack message's first line. Default: ${DEFAULT-VALUE}.")
  String slackHeader;

  @Option(names = "--slack-subject", paramLabel = "TEXT", description = "A second line for the Slack message.")
  String slackSubject;

  @Option(names = "--slack-timeout", paramLabel = "SECONDS", defaultValue = "5",
      description = "How long to wait for Slack to connect, and again to answer. Default: ${DEFAULT-VALUE}.")
  int slackTimeout;

  @Option(names = "--metrics", paramLabel = "emf|none", defaultValue = "${env:ECR_MIRROR_METRICS}",
      description = "emf: print the run's metrics as one CloudWatch Embedded Metric Format line (namespace EcrMirror). "
          + "Default: $ECR_MIRROR_METRICS, else none.")
  String metrics;

  /** Checks the options that are usage errors; a bad webhook is not one (a broken secret must not stop mirroring). */
  void validate() {
    if (slackTimeout < 1) {
      throw new UsageException("--slack-timeout must be 1 second or more, not " + slackTimeout);
    }
    if (metrics != null && !metrics.isBlank() && !metrics.equals("emf") && !metrics.equals("none")) {
      throw new UsageException("--metrics must be emf or none, not " + metrics);
    }
  }

  /** The notifications these options ask for; {@code warn} hears why one that was asked for is off. */
  Notifications notifications(Map<String, String> env, AwsClients clients, Clock clock, Consumer<String> warn) {
    Optional<MirrorEvents> events = Optional.ofNullable(eventBus).map(String::strip)
        .filter(b -> !b.isEmpty() && !b.equals("none"))
        .map(b -> new MirrorEvents(clients::events, b, clock));
    String webhook = slackWebhook != null ? slackWebhook : env.get(ENV_SLACK_WEBHOOK);
    Optional<Notifications.Slack> slack = Optional.empty();
    SlackMessage message = new SlackMessage(slackHeader, Optional.ofNullable(slackSubject).filter(s -> !s.isBlank()),
        slackErrorsOnly);
    if (slackChannel != null && !slackChannel.isBlank()) {
      String token = env.get(ENV_SLACK_TOKEN);
      if (token == null || token.isBlank()) {
        warn.accept("--slack-channel needs a bot token in $" + ENV_SLACK_TOKEN + ": no Slack message is sent");
      } else {
        slack = Optional.of(new Notifications.Slack(SlackWebhook.bot(slackApi, token.strip(), slackChannel.strip(),
            Duration.ofSeconds(slackTimeout)), message));
      }
    } else if (webhook != null && !webhook.isBlank()) {
      Optional<String> problem = SlackWebhook.problem(webhook);
      if (problem.isPresent()) {
        warn.accept("the Slack webhook (--slack-webhook or $" + ENV_SLACK_WEBHOOK + ") " + problem.get()
            + ": no Slack message is sent");
      } else {
        slack = Optional.of(new Notifications.Slack(
            new SlackWebhook(URI.create(webhook.strip()), Duration.ofSeconds(slackTimeout)), message));
      }
    }
    return new Notifications(events, slack, "emf".equals(metrics));
  }
}
