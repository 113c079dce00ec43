package dev.ecrmirror.cdk;

import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * The SQS queue that buffers ECR push events for the controller, with its dead-letter queue.
 *
 * <p>Encryption is SQS-managed rather than KMS so that EventBridge can deliver without a key
 * policy. The dead-letter queue also receives events that EventBridge could not deliver to the
 * rule targets, so every undelivered or unprocessable event ends up in one place to inspect or
 * redrive.
 */
public final class EventsQueue extends Construct {

  /** Receives before a message moves to the dead-letter queue: a poison event must not loop forever. */
  public static final int MAX_RECEIVE_COUNT = 5;

  private static final Duration RETENTION = Duration.days(14);

  private final Queue queue;
  private final Queue deadLetterQueue;

  public EventsQueue(Construct scope, String id) {
    super(scope, id);
    this.deadLetterQueue =
        Queue.Builder.create(this, "DeadLetterQueue")
            .encryption(QueueEncryption.SQS_MANAGED)
            .enforceSsl(true)
            .retentionPeriod(RETENTION)
            .build();
    this.queue =
        Queue.Builder.create(this, "Queue")
            .encryption(QueueEncryption.SQS_MANAGED)
            .enforceSsl(true)
            .retentionPeriod(RETENTION)
            // A controller checks the rows of a batch of events before deleting them; a digest
            // check against slow registries can take minutes, and redelivery is harmless anyway.
            .visibilityTimeout(Duration.minutes(5))
            .deadLetterQueue(
                DeadLetterQueue.builder().queue(deadLetterQueue).maxReceiveCount(MAX_RECEIVE_COUNT).build())
            .build();
  }

  public IQueue queue() {
    return queue;
  }

  public IQueue deadLetterQueue() {
    return deadLetterQueue;
  }
}
