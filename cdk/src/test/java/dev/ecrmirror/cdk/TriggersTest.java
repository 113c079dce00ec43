package dev.ecrmirror.cdk;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class TriggersTest {

  private static Template template;

  @BeforeAll
  static void synth() {
    template = Stacks.template();
  }

  private static Object controlQueue() {
    return Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("ComputeControlQueue.*"), "JobQueueArn"));
  }

  private static Object deadLetter() {
    return Map.of("Arn", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("EventsDeadLetterQueue.*"), "Arn")));
  }

  @Test
  void runsTheFullSyncHourlyOnTheControlQueue() {
    template.hasResourceProperties(
        "AWS::Events::Rule",
        Map.of(
            "ScheduleExpression", "rate(1 hour)",
            "Targets",
            List.of(
                Match.objectLike(
                    Map.of(
                        "Arn", controlQueue(),
                        "BatchParameters",
                        Match.objectLike(
                            Map.of("JobDefinition", Map.of("Ref", Match.stringLikeRegexp("ControllerSyncJobDefinition.*")))),
                        "DeadLetterConfig", deadLetter(),
                        "RetryPolicy", Match.objectLike(Map.of()))))));
  }

  @Test
  void scheduleContextSetsTheExpression() {
    Stacks.template(Map.of("schedule", "cron(0 3 * * ? *)"))
        .hasResourceProperties("AWS::Events::Rule", Map.of("ScheduleExpression", "cron(0 3 * * ? *)"));
  }

  @Test
  void scheduleNoneLeavesOnlyThePushRule() {
    Template noSchedule = Stacks.template(Map.of("schedule", "none"));

    // Rules that start something (the failed-jobs rule only counts, for an alarm).
    noSchedule.resourcePropertiesCountIs("AWS::Events::Rule", Map.of("Targets", Match.anyValue()), 1);
    noSchedule.resourcePropertiesCountIs(
        "AWS::Events::Rule", Map.of("ScheduleExpression", Match.anyValue()), 0);
  }

  @Test
  void successfulEcrPushesAreQueuedAndStartTheControllerInEventsMode() {
    template.hasResourceProperties(
        "AWS::Events::Rule",
        Map.of(
            "EventPattern",
            Map.of(
                "source", List.of("aws.ecr"),
                "detail-type", List.of("ECR Image Action"),
                "detail", Map.of("action-type", List.of("PUSH"), "result", List.of("SUCCESS"))),
            "Targets",
            List.of(
                Match.objectLike(
                    Map.of(
                        "Arn", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("EventsQueue.*"), "Arn")),
                        "DeadLetterConfig", deadLetter())),
                Match.objectLike(
                    Map.of(
                        "Arn", controlQueue(),
                        "BatchParameters",
                        Match.objectLike(
                            Map.of("JobDefinition", Map.of("Ref", Match.stringLikeRegexp("ControllerEventsJobDefinition.*")))),
                        "DeadLetterConfig", deadLetter())))));
  }

  @Test
  void eventBridgeMaySendToTheEventsQueue() {
    template.hasResourceProperties(
        "AWS::SQS::QueuePolicy",
        Map.of(
            "Queues", List.of(Map.of("Ref", Match.stringLikeRegexp("EventsQueue.*"))),
            "PolicyDocument",
            Match.objectLike(
                Map.of(
                    "Statement",
                    Match.arrayWith(
                        List.of(
                            Match.objectLike(
                                Map.of(
                                    "Action", Match.arrayWith(List.of("sqs:SendMessage")),
                                    "Principal", Map.of("Service", "events.amazonaws.com")))))))));
  }
}
