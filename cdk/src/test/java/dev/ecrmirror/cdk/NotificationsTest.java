package dev.ecrmirror.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.event.ruler.Machine;

/**
 * The optional SNS topic: fed by the alarms and by a rule on the controller's events, whose
 * synthesized pattern is checked with AWS's own event-ruler against events as the controller puts them.
 */
class NotificationsTest {

  @Test
  void noTopicUnlessAsked() {
    Template template = Stacks.template();
    template.resourceCountIs("AWS::SNS::Topic", 0);
    assertThat(
            template.findResources(
                "AWS::Events::Rule",
                Map.of("Properties", Map.of("EventPattern", Match.objectLike(Map.of("source", List.of("ecr-mirror")))))))
        .isEmpty();
  }

  @Test
  void anEmailAddressGetsATopicSubscribedAndEveryAlarmNotifiesIt() {
    Template template = Stacks.template(Map.of("notifyEmail", "platform@example.com"));
    template.resourceCountIs("AWS::SNS::Topic", 1);
    String topic = template.findResources("AWS::SNS::Topic").keySet().iterator().next();
    template.hasResourceProperties(
        "AWS::SNS::Subscription",
        Map.of("Protocol", "email", "Endpoint", "platform@example.com", "TopicArn", Map.of("Ref", topic)));
    var alarms = template.findResources("AWS::CloudWatch::Alarm");
    assertThat(alarms).hasSize(4);
    alarms.values().forEach(a -> assertThat(a.toString()).contains("AlarmActions=[{Ref=" + topic + "}]"));
    template.hasOutput("NotifyTopicArn", Map.of("Value", Map.of("Ref", topic)));
  }

  @Test
  void theTopicsRuleRoutesFailuresAndRecoveriesNotEveryCopy() throws Exception {
    Stack stack = Stacks.stack(Map.of("notifyTopic", "true"));
    Template template = Template.fromStack(stack);
    var rules =
        template.findResources(
            "AWS::Events::Rule",
            Map.of("Properties", Map.of("EventPattern", Match.objectLike(Map.of("source", List.of("ecr-mirror"))))));
    assertThat(rules).hasSize(1);
    var properties = (Map<?, ?>) ((Map<?, ?>) rules.values().iterator().next()).get("Properties");
    assertThat(properties.get("Targets").toString()).contains("Ref=NotificationsTopic");
    Machine machine = new Machine();
    machine.addRule("notify", stack.resolve(stack.toJsonString(properties.get("EventPattern"))).toString());

    assertThat(machine.rulesForJSONEvent(event("Mirror Failed", "failed"))).containsExactly("notify");
    assertThat(machine.rulesForJSONEvent(event("Mirror Conflict", "conflict"))).containsExactly("notify");
    assertThat(machine.rulesForJSONEvent(event("Mirror Recovered", "in sync"))).containsExactly("notify");
    assertThat(machine.rulesForJSONEvent(event("Mirror Succeeded", "mirrored"))).isEmpty();
    assertThat(machine.rulesForJSONEvent(event("Mirror Deferred", "deferred"))).isEmpty();
  }

  /** An event as EventBridge delivers what the controller put. */
  private static String event(String detailType, String status) {
    return """
        {"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": "%s",
         "source": "ecr-mirror", "account": "123456789012", "time": "2025-06-01T10:00:00Z",
         "region": "eu-west-1", "resources": [],
         "detail": {"source": "docker.io/library/postgres:16", "table": "ecr-mirror",
                    "destinations": ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/postgres:16"],
                    "status": "%s", "previousStatus": "in sync", "destinationErrors": {}}}
        """.formatted(detailType, status);
  }

  @Test
  void theTopicEnforcesTls() {
    Stacks.template(Map.of("notifyTopic", "true"))
        .hasResourceProperties(
            "AWS::SNS::TopicPolicy",
            Map.of(
                "PolicyDocument",
                Match.objectLike(
                    Map.of(
                        "Statement",
                        Match.arrayWith(
                            List.of(
                                Match.objectLike(
                                    Map.of(
                                        "Effect", "Deny",
                                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false"))))))))));
  }
}
