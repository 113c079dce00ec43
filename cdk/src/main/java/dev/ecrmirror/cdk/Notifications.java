package dev.ecrmirror.cdk;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.util.List;
import java.util.Optional;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.SnsTopic;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.constructs.Construct;

/**
 * The AWS-native way to hear of failures: an SNS topic fed by a rule on the controller's
 * {@code ecr-mirror} events (rows that fail, conflict, turn invalid or recover) and by the alarms.
 * Optional ({@code -c notifyTopic=true}, or {@code -c notifyEmail=ADDRESS} to also subscribe a mailbox).
 */
public final class Notifications extends Construct {

  /** The detail types the topic hears: what needs a person, and the news that it no longer does. */
  static final List<String> DETAIL_TYPES =
      List.of("Mirror Failed", "Mirror Conflict", "Mirror Invalid", "Mirror Recovered");

  private final Topic topic;

  public Notifications(Construct scope, String id, Optional<String> email) {
    super(scope, id);
    this.topic = Topic.Builder.create(this, "Topic").displayName("ecr-mirror").enforceSsl(true).build();
    NagSuppressions.addResourceSuppressions(
        topic,
        List.of(
            NagPackSuppression.builder()
                .id("AwsSolutions-SNS2")
                .reason(
                    "EventBridge cannot publish to a topic encrypted with the AWS-managed SNS key; the"
                        + " messages carry image references and error text, no secrets.")
                .build()));
    email.ifPresent(address -> topic.addSubscription(new EmailSubscription(address)));
    Rule.Builder.create(this, "MirrorEventsRule")
        .description("Sends ecr-mirror rows that fail, conflict, turn invalid or recover to the topic")
        .eventPattern(pattern())
        .targets(List.of(new SnsTopic(topic)))
        .build();
  }

  /** The controller's events a person should hear of. */
  static EventPattern pattern() {
    return EventPattern.builder().source(List.of("ecr-mirror")).detailType(DETAIL_TYPES).build();
  }

  public ITopic topic() {
    return topic;
  }
}
