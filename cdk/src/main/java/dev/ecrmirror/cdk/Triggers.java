package dev.ecrmirror.cdk;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.batch.IJobDefinition;
import software.amazon.awscdk.services.batch.IJobQueue;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.BatchJob;
import software.amazon.awscdk.services.events.targets.BatchJobProps;
import software.amazon.awscdk.services.events.targets.SqsQueue;
import software.amazon.awscdk.services.events.targets.SqsQueueProps;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * The EventBridge rules that start the controller: on a schedule, and on every successful ECR push.
 *
 * <p>A push event is queued (durably, for the controller to read which rows it touches) and also
 * starts a controller in events mode, so a pushed source is mirrored within minutes rather than at
 * the next scheduled run. Targets that cannot be reached after retries leave the event in the
 * dead-letter queue.
 */
public final class Triggers extends Construct {

  private static final Duration MAX_EVENT_AGE = Duration.hours(2);
  private static final int TARGET_RETRIES = 10;

  private final Optional<Rule> scheduleRule;
  private final Rule pushRule;

  /**
   * Options of the triggers.
   *
   * @param schedule the schedule expression, or empty for no scheduled runs
   * @param controlQueue the job queue controllers run on
   * @param syncJobDefinition the controller's full-scan job definition
   * @param eventsJobDefinition the controller's events-mode job definition
   * @param eventsQueue where push events are queued for the controller
   * @param deadLetterQueue where undeliverable events are kept
   * @param excludePrefix repository name prefix whose pushes start nothing (the worker's own pushes
   *     into mirror destinations), if set
   */
  public record Props(
      Optional<String> schedule,
      IJobQueue controlQueue,
      IJobDefinition syncJobDefinition,
      IJobDefinition eventsJobDefinition,
      IQueue eventsQueue,
      IQueue deadLetterQueue,
      Optional<String> excludePrefix) {}

  public Triggers(Construct scope, String id, Props props) {
    super(scope, id);
    this.scheduleRule =
        props.schedule()
            .map(
                expression ->
                    Rule.Builder.create(this, "ScheduleRule")
                        .description("Starts the ecr-mirror controller: full drift check")
                        .schedule(Schedule.expression(expression))
                        .targets(
                            List.of(
                                controllerTarget(props, props.syncJobDefinition(), "ecr-mirror-scheduled")))
                        .build());
    this.pushRule =
        Rule.Builder.create(this, "EcrPushRule")
            .description("Queues successful ECR pushes and starts the ecr-mirror controller for them")
            .eventPattern(ecrPushPattern(props.excludePrefix()))
            .targets(
                List.of(
                    new SqsQueue(
                        props.eventsQueue(),
                        SqsQueueProps.builder()
                            .deadLetterQueue(props.deadLetterQueue())
                            .maxEventAge(MAX_EVENT_AGE)
                            .retryAttempts(TARGET_RETRIES)
                            .build()),
                    controllerTarget(props, props.eventsJobDefinition(), "ecr-mirror-push")))
            .build();
  }

  /**
   * Successful image pushes to any ECR repository in this account and region, but for those whose
   * name starts with {@code excludePrefix}: a mirror destination that is no row's source needs no
   * controller run (the controller would find no row and start no job, but each run costs a Batch
   * task and a lookup).
   */
  static EventPattern ecrPushPattern(Optional<String> excludePrefix) {
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("action-type", List.of("PUSH"));
    detail.put("result", List.of("SUCCESS"));
    excludePrefix.ifPresent(
        prefix ->
            detail.put(
                "repository-name", List.of(Map.of("anything-but", Map.of("prefix", prefix)))));
    return EventPattern.builder()
        .source(List.of("aws.ecr"))
        .detailType(List.of("ECR Image Action"))
        .detail(detail)
        .build();
  }

  private BatchJob controllerTarget(Props props, IJobDefinition jobDefinition, String jobName) {
    return new BatchJob(
        props.controlQueue().getJobQueueArn(),
        props.controlQueue(),
        jobDefinition.getJobDefinitionArn(),
        jobDefinition,
        BatchJobProps.builder()
            .jobName(jobName)
            .deadLetterQueue(props.deadLetterQueue())
            .maxEventAge(MAX_EVENT_AGE)
            .retryAttempts(TARGET_RETRIES)
            .build());
  }

  /** The schedule rule, absent when the schedule is {@code none}. */
  public Optional<Rule> scheduleRule() {
    return scheduleRule;
  }

  public Rule pushRule() {
    return pushRule;
  }
}
