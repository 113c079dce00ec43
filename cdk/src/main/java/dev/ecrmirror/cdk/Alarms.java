package dev.ecrmirror.cdk;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.batch.IJobQueue;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.AlarmStatusWidget;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * The alarms that say the mirror needs a person, and a dashboard of the controller's and the worker
 * jobs' metrics (the Embedded Metric Format lines of their logs, namespace {@code EcrMirror}): failed rows run after run,
 * events in the dead-letter queue, failed Batch jobs, and a scheduled controller that stopped running.
 */
public final class Alarms extends Construct {

  /** The controller's metric namespace and dimensions (see the controller's EmfMetrics). */
  static final String NAMESPACE = "EcrMirror";

  /** The longest alarm period: two of them must fit CloudWatch's one-day evaluation window. */
  private static final java.time.Duration MAX_PERIOD = java.time.Duration.ofHours(12);

  /**
   * Options of the alarms.
   *
   * @param table the mirror table (its name is the metrics' {@code Table} dimension)
   * @param deadLetterQueue the events dead-letter queue
   * @param jobQueues the controller's and the workers' job queues
   * @param schedulePeriod how often the scheduled controller runs
   * @param scheduled whether there is a schedule (else no alarm on runs missing)
   * @param failedRuns scheduled runs in a row with failed rows before the alarm fires
   * @param topic where alarms go, if anywhere
   */
  public record Props(
      ITable table,
      IQueue deadLetterQueue,
      List<IJobQueue> jobQueues,
      java.time.Duration schedulePeriod,
      boolean scheduled,
      int failedRuns,
      Optional<ITopic> topic) {}

  private final Alarm failedRows;
  private final Alarm deadLetters;
  private final Alarm failedJobs;
  private final Optional<Alarm> notRunning;

  public Alarms(Construct scope, String id, Props props) {
    super(scope, id);
    Duration period =
        Duration.seconds(Math.max(60, Math.min(props.schedulePeriod().toSeconds(), MAX_PERIOD.toSeconds())));

    this.failedRows =
        Alarm.Builder.create(this, "FailedRowsAlarm")
            .alarmDescription(
                "ecr-mirror: rows ended "
                    + props.failedRuns()
                    + " scheduled runs in a row retrying, failed, conflict or invalid; `controller table"
                    + " list` says why")
            .metric(controllerMetric(props, "RowsFailed", "Maximum", period))
            .threshold(0)
            .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
            .evaluationPeriods(props.failedRuns())
            .datapointsToAlarm(props.failedRuns())
            // A run that did not happen is the other alarm's business.
            .treatMissingData(TreatMissingData.IGNORE)
            .build();

    this.notRunning =
        props.scheduled()
            ? Optional.of(
                Alarm.Builder.create(this, "ControllerNotRunningAlarm")
                    .alarmDescription(
                        "ecr-mirror: the scheduled controller has not finished a run for 2 schedule"
                            + " periods; look at its Batch jobs and the control job queue")
                    .metric(controllerMetric(props, "RunDuration", "SampleCount", period))
                    .threshold(1)
                    .comparisonOperator(ComparisonOperator.LESS_THAN_THRESHOLD)
                    .evaluationPeriods(2)
                    .datapointsToAlarm(2)
                    .treatMissingData(TreatMissingData.BREACHING)
                    .build())
            : Optional.empty();

    this.deadLetters =
        Alarm.Builder.create(this, "DeadLetterQueueAlarm")
            .alarmDescription(
                "ecr-mirror: events could not be delivered or processed; inspect the dead-letter queue"
                    + " and redrive it")
            .metric(
                props.deadLetterQueue()
                    .metricApproximateNumberOfMessagesVisible()
                    .with(
                        software.amazon.awscdk.services.cloudwatch.MetricOptions.builder()
                            .statistic("Maximum")
                            .period(Duration.minutes(5))
                            .build()))
            .threshold(0)
            .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
            .evaluationPeriods(1)
            .treatMissingData(TreatMissingData.NOT_BREACHING)
            .build();

    // Batch says a job failed for good (its retries spent) with a state-change event: count them.
    Rule failedJobsRule =
        Rule.Builder.create(this, "FailedJobsRule")
            .description("Matches ecr-mirror Batch jobs that failed after their retries (counted for an alarm)")
            .eventPattern(
                EventPattern.builder()
                    .source(List.of("aws.batch"))
                    .detailType(List.of("Batch Job State Change"))
                    .detail(
                        Map.of(
                            "status",
                            List.of("FAILED"),
                            "jobQueue",
                            props.jobQueues().stream().map(IJobQueue::getJobQueueArn).toList()))
                    .build())
            .build();
    this.failedJobs =
        Alarm.Builder.create(this, "FailedJobsAlarm")
            .alarmDescription(
                "ecr-mirror: a controller or worker Batch job failed after its retries; its log"
                    + " stream says why")
            .metric(
                Metric.Builder.create()
                    .namespace("AWS/Events")
                    .metricName("MatchedEvents")
                    .dimensionsMap(Map.of("RuleName", failedJobsRule.getRuleName()))
                    .statistic("Sum")
                    .period(Duration.minutes(5))
                    .build())
            .threshold(0)
            .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
            .evaluationPeriods(1)
            .treatMissingData(TreatMissingData.NOT_BREACHING)
            .build();

    props.topic().ifPresent(topic -> alarms().forEach(a -> a.addAlarmAction(new SnsAction(topic))));

    Dashboard dashboard = Dashboard.Builder.create(this, "Dashboard").build();
    dashboard.addWidgets(
        GraphWidget.Builder.create()
            .title("Rows per scheduled run")
            .width(12)
            .left(
                List.<IMetric>of(
                    controllerMetric(props, "RowsChecked", "Maximum", period),
                    controllerMetric(props, "RowsInSync", "Maximum", period),
                    controllerMetric(props, "RowsDrifted", "Maximum", period),
                    controllerMetric(props, "RowsMirrored", "Maximum", period),
                    controllerMetric(props, "RowsFailed", "Maximum", period),
                    controllerMetric(props, "RowsDeferred", "Maximum", period)))
            .build(),
        GraphWidget.Builder.create()
            .title("Controller run duration (s)")
            .width(12)
            .left(List.<IMetric>of(controllerMetric(props, "RunDuration", "Maximum", period)))
            .build());
    dashboard.addWidgets(
        GraphWidget.Builder.create()
            .title("Events dead-letter queue")
            .width(12)
            .left(List.<IMetric>of(deadLetters.getMetric()))
            .build(),
        GraphWidget.Builder.create()
            .title("Failed Batch jobs")
            .width(12)
            .left(List.<IMetric>of(failedJobs.getMetric()))
            .build());
    dashboard.addWidgets(
        GraphWidget.Builder.create()
            .title("Bytes copied by worker jobs")
            .width(12)
            .left(List.<IMetric>of(workerMetric("BytesCopied", "Sum", period)))
            .build(),
        GraphWidget.Builder.create()
            .title("Worker job duration (s)")
            .width(12)
            .left(
                List.<IMetric>of(
                    workerMetric("JobDuration", "Maximum", period), workerMetric("JobDuration", "Average", period)))
            .build());
    dashboard.addWidgets(
        AlarmStatusWidget.Builder.create().title("ecr-mirror alarms").width(24).alarms(alarms()).build());
  }

  /** A metric of the scheduled controller's runs (Mode {@code sync}; push-event runs are Mode {@code events}). */
  private static Metric controllerMetric(Props props, String name, String statistic, Duration period) {
    return Metric.Builder.create()
        .namespace(NAMESPACE)
        .metricName(name)
        .dimensionsMap(Map.of("Table", props.table().getTableName(), "Mode", "sync"))
        .statistic(statistic)
        .period(period)
        .build();
  }

  /** A metric of the worker jobs' runs (their EMF lines, dimension {@code Job=worker}; see the worker's WorkerMetrics). */
  private static Metric workerMetric(String name, String statistic, Duration period) {
    return Metric.Builder.create()
        .namespace(NAMESPACE)
        .metricName(name)
        .dimensionsMap(Map.of("Job", "worker"))
        .statistic(statistic)
        .period(period)
        .build();
  }

  /** Every alarm. */
  public List<Alarm> alarms() {
    return notRunning.map(n -> List.of(failedRows, n, deadLetters, failedJobs))
        .orElse(List.of(failedRows, deadLetters, failedJobs));
  }
}
