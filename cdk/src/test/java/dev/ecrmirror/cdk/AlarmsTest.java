package dev.ecrmirror.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The alarms on the controller's EMF metrics, the dead-letter queue and failed Batch jobs, and their dashboard. */
class AlarmsTest {

  private static Map<String, Object> alarmOn(String metric, Map<String, Object> more) {
    var properties = new java.util.HashMap<String, Object>(Map.of("MetricName", metric));
    properties.putAll(more);
    return properties;
  }

  private static Map<String, Object> queueArn(String logicalId) {
    return Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp(logicalId), "JobQueueArn"));
  }

  @Test
  void failedRowsForTwoScheduledRunsOfTheTableAlarm() {
    Template template = Stacks.template();
    String table = Stacks.mirrorTable(template);
    template.hasResourceProperties(
        "AWS::CloudWatch::Alarm",
        alarmOn(
            "RowsFailed",
            Map.of(
                "Namespace", "EcrMirror",
                "Dimensions",
                Match.arrayEquals(
                    List.of(
                        Map.of("Name", "Mode", "Value", "sync"),
                        Map.of("Name", "Table", "Value", Map.of("Ref", table)))),
                "Statistic", "Maximum",
                "Period", 3600,
                "ComparisonOperator", "GreaterThanThreshold",
                "Threshold", 0,
                "EvaluationPeriods", 2,
                "DatapointsToAlarm", 2)));
  }

  @Test
  void aControllerThatStoppedRunningForTwoSchedulePeriodsAlarms() {
    Template template = Stacks.template(Map.of("schedule", "rate(30 minutes)"));
    template.hasResourceProperties(
        "AWS::CloudWatch::Alarm",
        alarmOn(
            "RunDuration",
            Map.of(
                "Namespace", "EcrMirror",
                "Statistic", "SampleCount",
                "Period", 1800,
                "ComparisonOperator", "LessThanThreshold",
                "Threshold", 1,
                "EvaluationPeriods", 2,
                "TreatMissingData", "breaching")));
    // Without a schedule there is no run to miss.
    Template unscheduled = Stacks.template(Map.of("schedule", "none"));
    assertThat(unscheduled.findResources("AWS::CloudWatch::Alarm", Map.of("Properties", Map.of("MetricName", "RunDuration"))))
        .isEmpty();
  }

  @Test
  void alarmFailedRunsSetsHowManyRunsInARow() {
    Stacks.template(Map.of("alarmFailedRuns", "3"))
        .hasResourceProperties(
            "AWS::CloudWatch::Alarm",
            alarmOn("RowsFailed", Map.of("EvaluationPeriods", 3, "DatapointsToAlarm", 3)));
  }

  @Test
  void eventsInTheDeadLetterQueueAlarm() {
    Stacks.template()
        .hasResourceProperties(
            "AWS::CloudWatch::Alarm",
            alarmOn(
                "ApproximateNumberOfMessagesVisible",
                Map.of(
                    "Namespace", "AWS/SQS",
                    "Dimensions",
                    List.of(
                        Map.of(
                            "Name", "QueueName",
                            "Value",
                            Map.of(
                                "Fn::GetAtt",
                                List.of(Match.stringLikeRegexp("EventsDeadLetterQueue.*"), "QueueName")))),
                    "ComparisonOperator", "GreaterThanThreshold",
                    "Threshold", 0)));
  }

  @Test
  void batchJobsThatFailedForGoodAreMatchedByARuleItsAlarmCounts() {
    Template template = Stacks.template();
    var rules =
        template.findResources(
            "AWS::Events::Rule",
            Map.of(
                "Properties",
                Map.of(
                    "EventPattern",
                    Map.of(
                        "source", List.of("aws.batch"),
                        "detail-type", List.of("Batch Job State Change"),
                        "detail",
                        Map.of(
                            "status", List.of("FAILED"),
                            "jobQueue",
                            List.of(
                                queueArn("ComputeControlQueue.*"),
                                queueArn("ComputeMirrorQueue.*")))))));
    assertThat(rules).hasSize(1);
    String rule = rules.keySet().iterator().next();
    template.hasResourceProperties(
        "AWS::CloudWatch::Alarm",
        alarmOn(
            "MatchedEvents",
            Map.of(
                "Namespace", "AWS/Events",
                "Dimensions", List.of(Map.of("Name", "RuleName", "Value", Map.of("Ref", rule))),
                "ComparisonOperator", "GreaterThanThreshold",
                "Threshold", 0)));
  }

  @Test
  void aDashboardShowsTheRunsTheQueueTheJobsAndTheAlarms() {
    Template template = Stacks.template();
    template.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
    var body =
        template.findResources("AWS::CloudWatch::Dashboard").values().iterator().next().toString();
    assertThat(body)
        .contains(
            "Rows per scheduled run",
            "RowsFailed",
            "RunDuration",
            "Events dead-letter queue",
            "Failed Batch jobs",
            "Bytes copied by worker jobs",
            "BytesCopied",
            "Worker job duration (s)",
            "JobDuration",
            "ecr-mirror alarms");
    template.resourceCountIs("AWS::CloudWatch::Alarm", 4);
  }
}
