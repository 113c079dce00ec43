package dev.ecrmirror.controller.notify;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * What a run tells the world when it ends: events, one Slack message, a metrics line. Each is
 * optional, and none can fail or stall the run: a channel that fails is one warning line.
 *
 * @param events where changes go as EventBridge events, if on
 * @param slack the webhook and the message's form, if on
 * @param emf whether to print the run's EMF metrics line
 */
public record Notifications(Optional<MirrorEvents> events, Optional<Slack> slack, boolean emf) {

  /** A Slack webhook and the message it gets. */
  public record Slack(SlackWebhook webhook, SlackMessage message) {}

  /**
   * Sends the run's notifications.
   *
   * @param stdout where the EMF line goes (the job's log)
   * @param warn where a failed channel says so, one line each
   */
  public void send(RunSummary run, Consumer<String> stdout, Consumer<String> warn) {
    if (emf) {
      stdout.accept(EmfMetrics.line(run));
    }
    events.ifPresent(e -> {
      try {
        MirrorEvents.Published p = e.publish(run);
        if (p.failed() > 0) {
          warn.accept(p.failed() + " of " + (p.sent() + p.failed()) + " EventBridge event(s) were not put ("
              + String.join("; ", p.reasons()) + "): check events:PutEvents on the bus; the sync's result stands");
        }
      } catch (RuntimeException x) {
        // Building the client can fail too (no region): still one line, never the run's end.
        warn.accept("no EventBridge event was put (" + x.getMessage() + "); the sync's result stands");
      }
    });
    slack.ifPresent(s -> s.message().text(run).ifPresent(text -> {
      SlackWebhook.Delivery d = s.webhook().post(text);
      if (!d.delivered()) {
        warn.accept("Slack did not take the run's message (" + d.problem().orElse("no reason")
            + (d.attempts() > 1 ? ", after one retry" : "") + "): check the webhook (--slack-webhook or"
            + " $ECR_MIRROR_SLACK_WEBHOOK); the sync's result stands");
      }
    }));
  }
}
