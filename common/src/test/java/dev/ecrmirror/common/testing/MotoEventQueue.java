package dev.ecrmirror.common.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Every {@code ecr-mirror} event put on moto's default bus, delivered to an SQS queue by the rule a
 * user would write: what the event tests read back.
 */
public final class MotoEventQueue implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SqsClient sqs;
  private final String queueUrl;

  private MotoEventQueue(SqsClient sqs, String queueUrl) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
  }

  /** A queue {@code name} on {@code moto} and a rule on its default bus sending it every ecr-mirror event. */
  public static MotoEventQueue start(MotoServer moto, String name) {
    var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
    SqsClient sqs = SqsClient.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).build();
    String queueUrl = sqs.createQueue(b -> b.queueName(name)).queueUrl();
    String queueArn = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
        .attributes().get(QueueAttributeName.QUEUE_ARN);
    try (EventBridgeClient events = EventBridgeClient.builder().endpointOverride(moto.endpoint())
        .region(Region.US_EAST_1).credentialsProvider(credentials).build()) {
      events.putRule(b -> b.name(name + "-all").eventPattern("{\"source\": [\"ecr-mirror\"]}"));
      events.putTargets(b -> b.rule(name + "-all").targets(t -> t.id("queue").arn(queueArn)));
    }
    return new MotoEventQueue(sqs, queueUrl);
  }

  /** Every event delivered so far, parsed (and removed from the queue). */
  public List<JsonNode> delivered() {
    List<JsonNode> out = new ArrayList<>();
    while (true) {
      List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1))
          .messages();
      if (batch.isEmpty()) {
        return out;
      }
      for (Message m : batch) {
        try {
          out.add(JSON.readTree(m.body()));
        } catch (IOException e) {
          throw new AssertionError("an event that is not JSON: " + m.body(), e);
        }
        sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
      }
    }
  }

  @Override
  public void close() {
    sqs.close();
  }
}
