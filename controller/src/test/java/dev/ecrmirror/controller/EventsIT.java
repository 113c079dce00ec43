package dev.ecrmirror.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.controller.aws.AwsClients;
import dev.ecrmirror.controller.table.MirrorTable;
import dev.ecrmirror.controller.testing.BatchStub;
import dev.ecrmirror.controller.testing.Cli;
import dev.ecrmirror.controller.testing.EcrStub;
import dev.ecrmirror.controller.testing.LocalDynamo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * ECR push events end to end: ElasticMQ for the events queue, DynamoDB Local, the ECR API and
 * Batch stubs, a real registry for destinations, and the CLI as the events rule runs it.
 */
class EventsIT {
  static final String ACCOUNT = "123456789012";
  static final String ECR = ACCOUNT + ".dkr.ecr.us-east-1.amazonaws.com";
  static final String DIGEST_A = "sha256:" + "a".repeat(64);

  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(1);

  @RegisterExtension
  static LocalDynamo dynamo = new LocalDynamo();

  static SQSRestServer elasticmq;
  static URI sqsEndpoint;
  static BatchStub batch;
  static EcrStub ecr;
  static AwsClients clients;
  static SqsClient sqs;

  MirrorTable table;
  String queueUrl;

  @BeforeAll
  static void start() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    elasticmq = SQSRestServerBuilder.withInterface("127.0.0.1").withPort(port).start();
    elasticmq.waitUntilStarted();
    sqsEndpoint = URI.create("http://127.0.0.1:" + port);
    batch = new BatchStub();
    ecr = new EcrStub();
    clients = dynamo.clients(batch.endpoint(), sqsEndpoint, ecr.endpoint());
    sqs = clients.sqs();
    ecr.put("team/app", "1", DIGEST_A);
    ecr.put("team/app", "2", DIGEST_A);
    ecr.breakRepository("team/broken");
    // The CLI builds its own clients from the default chain: give it test credentials.
    System.setProperty("aws.accessKeyId", "test");
    System.setProperty("aws.secretAccessKey", "test");
  }

  @AfterAll
  static void stop() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    batch.close();
    ecr.close();
    elasticmq.stopAndWait();
  }

  @BeforeEach
  void setUp() {
    table = dynamo.newTable(clients.dynamo());
    batch.clear();
    queueUrl = sqs.createQueue(b -> b.queueName("events-" + table.name())).queueUrl();
    String dst = registries.get(0).host();
    put(ECR + "/team/app:1", dst + "/app:1");
    put(ECR + "/team/app:2", dst + "/app:2");
    put(ECR + "/team/broken:1", dst + "/broken:1");
  }

  void put(String source, String destination) {
    LocalDynamo.putItem(clients.dynamo(), table, Map.of("Source", AttributeValue.fromS(source),
        "Destination", AttributeValue.fromS(destination)));
  }

  static String event(String repository, String tag, String action) {
    return event(repository, tag, action, DIGEST_A);
  }

  static String event(String repository, String tag, String action, String digest) {
    return """
        {"version":"0","id":"x","detail-type":"ECR Image Action","source":"aws.ecr","account":"%s",
         "time":"2026-01-01T00:00:00Z","region":"us-east-1","resources":[],
         "detail":{"result":"SUCCESS","repository-name":"%s","image-digest":"%s","action-type":"%s","image-tag":"%s"}}
        """.formatted(ACCOUNT, repository, digest, action, tag);
  }

  Cli.Run sync(String... extra) {
    List<String> args = new ArrayList<>(List.of("sync", "--table", table.name(), "--region", "us-east-1",
        "--dynamodb-endpoint-url", dynamo.endpoint().toString(), "--batch-endpoint-url", batch.endpoint().toString(),
        "--sqs-endpoint-url", sqsEndpoint.toString(), "--ecr-endpoint-url", ecr.endpoint().toString(),
        "--job-queue", "mirror-queue", "--job-definition", "worker"));
    args.addAll(List.of(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  int messagesLeft() {
    Map<QueueAttributeName, String> attrs = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
        .attributes();
    return Integer.parseInt(attrs.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
        + Integer.parseInt(attrs.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
  }

  @Test
  void pushEventsCheckOnlyTheRowsTheyTouchAndAreDeletedOnceHandled() {
    sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(event("team/app", "1", "PUSH")));
    sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(event("team/other", "9", "PUSH")));
    sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(event("team/app", "2", "DELETE")));
    sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("not an event"));

    Cli.Run plan = sync("--events", "--events-queue-url", queueUrl, "--dry-run");
    assertThat(plan.exitCode()).as(plan.out() + plan.err()).isZero();
    assertThat(plan.out()).contains(ECR + "/team/app:1", "would submit");
    assertThat(batch.submitted()).isEmpty();
    assertThat(messagesLeft()).as("a dry run leaves the queue as it was").isEqualTo(4);

    Cli.Run run = sync("--events", "--events-queue-url", queueUrl);

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(batch.submitted()).hasSize(1);
    assertThat(batch.submitted().get(0).parameters())
        .containsEntry("source", ECR + "/team/app:1")
        .containsEntry("dest", registries.get(0).host() + "/app:1");
    assertThat(run.err()).contains("4 received, 4 deleted, 0 kept");
    assertThat(messagesLeft()).isZero();
    assertThat(LocalDynamo.getItem(clients.dynamo(), table, ECR + "/team/app:2")).doesNotContainKey("MirrorStatus");
    assertThat(LocalDynamo.getItem(clients.dynamo(), table, ECR + "/team/app:1").get("SourceDigest").s()).isEqualTo(DIGEST_A);
  }

  @Test
  void anEventWhoseRowFailsStaysOnTheQueueForTheDeadLetterQueue() {
    sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(event("team/broken", "1", "PUSH")));
    sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(event("team/app", "1", "PUSH")));

    Cli.Run run = sync("--events", "--events-queue-url", queueUrl);

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("2 received, 1 deleted, 1 kept");
    assertThat(messagesLeft()).isEqualTo(1);
    assertThat(batch.submitted()).hasSize(1);
    assertThat(LocalDynamo.getItem(clients.dynamo(), table, ECR + "/team/broken:1").get("LastError").s())
        .contains("BatchGetImage");
  }

  @Test
  void aPushWhoseDigestTheRunningJobCopiesIsDeletedAnotherWaitsForTheJob() {
    // A job for team/app:1 at DIGEST_A is running (the schedule submitted it before the push event came).
    String source = ECR + "/team/app:1";
    LocalDynamo.putItem(clients.dynamo(), table, Map.of("Source", AttributeValue.fromS(source),
        "Destination", AttributeValue.fromS(registries.get(0).host() + "/app:1"),
        "MirrorStatus", AttributeValue.fromS("submitted"), "JobId", AttributeValue.fromS("job-1"),
        "ClaimToken", AttributeValue.fromS("t1"), "ClaimedDigest", AttributeValue.fromS(DIGEST_A),
        "CheckedAt", AttributeValue.fromS("2026-01-01T00:00:00Z")));
    batch.setState("job-1", "RUNNING", null);
    sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(event("team/app", "1", "PUSH")));

    Cli.Run run = sync("--events", "--events-queue-url", queueUrl);

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.err()).contains("1 received, 1 deleted, 0 kept");
    assertThat(messagesLeft()).isZero();
    assertThat(batch.submitted()).isEmpty();

    // A push of another digest while the job runs is not copied by it: kept, hidden while the job runs.
    sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(event("team/app", "1", "PUSH", "sha256:" + "b".repeat(64))));

    Cli.Run again = sync("--events", "--events-queue-url", queueUrl);

    assertThat(again.exitCode()).as(again.out() + again.err()).isZero();
    assertThat(again.err()).contains("1 received, 0 deleted, 1 kept");
    assertThat(messagesLeft()).isEqualTo(1);
    assertThat(batch.submitted()).isEmpty();
  }

  @Test
  void singleImageModeChecksOnlyMatchingRows() {
    Cli.Run run = sync("--repository", "team/app", "--tag", "2");
    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(batch.submitted()).extracting(s -> s.parameters().get("source")).containsExactly(ECR + "/team/app:2");

    batch.clear();
    Cli.Run bySource = sync("--source", ECR + "/team/app:1", "--dry-run");
    assertThat(bySource.exitCode()).isZero();
    assertThat(bySource.out()).contains(ECR + "/team/app:1", "would submit", "1 row(s)");
    assertThat(batch.submitted()).isEmpty();
  }
}
