package dev.ecrmirror.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.aws.EcrImages;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.retry.RetryPolicy;
import dev.ecrmirror.common.registry.RegistryOptions;
import dev.ecrmirror.common.tags.TagLister;
import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.controller.aws.AwsClients;
import dev.ecrmirror.controller.drift.DigestResolver;
import dev.ecrmirror.controller.drift.DriftChecker;
import dev.ecrmirror.controller.drift.EcrDigests;
import dev.ecrmirror.controller.events.EventDrain;
import dev.ecrmirror.controller.jobs.BatchJobRunner;
import dev.ecrmirror.controller.table.MirrorTable;
import dev.ecrmirror.controller.table.TagStateTable;
import dev.ecrmirror.controller.testing.BatchStub;
import dev.ecrmirror.controller.testing.EcrStub;
import dev.ecrmirror.controller.testing.LocalDynamo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * ECR push events find the rows they touch by key and the {@code SourceRepository} index, never by a
 * scan: ElasticMQ for the events queue, DynamoDB Local (each request counted by operation on the
 * client), a real registry for destinations, and the ECR API and Batch stubs ({@link EcrStub} says why
 * ECR is stubbed; Batch is stubbed so a test can read the jobs submitted without running them).
 */
class PushLookupIT {
  static final String ACCOUNT = "123456789012";
  static final String ECR = ACCOUNT + ".dkr.ecr.us-east-1.amazonaws.com";
  static final String MISSING = "sha256:" + "a".repeat(64);

  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(1);

  @RegisterExtension
  static LocalDynamo dynamo = new LocalDynamo();

  static SQSRestServer elasticmq;
  static BatchStub batch;
  static EcrStub ecr;
  static AwsClients clients;
  static SqsClient sqs;
  static RegistryClient registry;
  static String dst;

  /** DynamoDB requests by operation name, as the client sent them. */
  static final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
  static DynamoDbClient counted;

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
    batch = new BatchStub();
    ecr = new EcrStub();
    clients = dynamo.clients(batch.endpoint(), URI.create("http://127.0.0.1:" + port), ecr.endpoint());
    sqs = clients.sqs();
    counted = DynamoDbClient.builder().endpointOverride(dynamo.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .overrideConfiguration(c -> c.addExecutionInterceptor(new ExecutionInterceptor() {
          @Override
          public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            requests.computeIfAbsent(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME),
                k -> new AtomicInteger()).incrementAndGet();
          }
        })).build();
    registry = new RegistryClient(RegistryOptions.defaults().withRetryTimes(0));
    dst = registries.get(0).host();
    // team/app:3 is already at its destination: the same image under the digest ECR reports.
    TestImages.Pushed three = new TestImages(registries.get(0).baseUri(), 3).image("app", "linux", "amd64", "", false, 1, 256);
    new TestImages(registries.get(0).baseUri(), 3).tag("app", "3", three);
    ecr.put("team/app", "1", MISSING);
    ecr.put("team/app", "2", MISSING);
    ecr.put("team/app", "3", three.digest().toString());
    ecr.put("mirror/app", "1", MISSING);
    ecr.put("mirror/busybox", "1.36", MISSING);
  }

  @AfterAll
  static void stop() {
    counted.close();
    batch.close();
    ecr.close();
    elasticmq.stopAndWait();
  }

  @BeforeEach
  void setUp() {
    table = new MirrorTable(counted, "push-" + System.nanoTime());
    table.createIfMissing();
    TagStateTable.beside(table).createIfMissing();
    queueUrl = sqs.createQueue(b -> b.queueName("events-" + table.name())).queueUrl();
    batch.clear();
  }

  @AfterEach
  void clearCounts() {
    requests.clear();
  }

  /** Writes a row as a user writes it by hand: no attribute but its own, so the index does not know it. */
  void putByHand(String source, String destination, Map<String, AttributeValue> extra) {
    Map<String, AttributeValue> item = new java.util.HashMap<>(extra);
    item.put("Source", AttributeValue.fromS(source));
    item.put("Destination", AttributeValue.fromS(destination));
    counted.putItem(b -> b.tableName(table.name()).item(item));
  }

  void push(String repository, String tag) {
    sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("""
        {"version":"0","id":"x","detail-type":"ECR Image Action","source":"aws.ecr","account":"%s",
         "time":"2026-01-01T00:00:00Z","region":"us-east-1","resources":[],
         "detail":{"result":"SUCCESS","repository-name":"%s","image-digest":"%s","action-type":"PUSH","image-tag":"%s"}}
        """.formatted(ACCOUNT, repository, MISSING, tag)));
  }

  /** Drains the queue as {@code sync --events} does, counting only the requests of the drain. */
  EventDrain.Result drain() {
    DriftChecker checker = new DriftChecker(new DigestResolver(registry, Optional.of(new EcrDigests(clients::ecr)), 4),
        new TagLister(registry, Optional.of(new EcrImages(clients::ecr))));
    Controller controller = new Controller(table, checker, new BatchJobRunner(clients.batch(), "mirror-queue", "worker-def",
        RetryPolicy.defaults().withBase(Duration.ofMillis(10))), Clock.systemUTC(), 1, 4);
    requests.clear();
    return new EventDrain(sqs, queueUrl, table, controller, 1, 100).drain(false);
  }

  int count(String operation) {
    return requests.getOrDefault(operation, new AtomicInteger()).get();
  }

  int messagesLeft() {
    Map<QueueAttributeName, String> attrs = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
        .attributes();
    return Integer.parseInt(attrs.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
        + Integer.parseInt(attrs.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
  }

  @Test
  void aPushIntoAMirrorDestinationCostsOneLookupAndNoJob() {
    // The worker's own push: mirror/busybox:1.36 is this row's destination and no row's source.
    table.putDefinition("docker.io/library/busybox:1.36", List.of(ECR + "/mirror/busybox:1.36"), List.of(), Optional.empty());
    table.putDefinition(ECR + "/team/app:1", List.of(dst + "/app:1"), List.of(), Optional.empty());
    push("mirror/busybox", "1.36");

    EventDrain.Result result = drain();

    assertThat(batch.submitted()).isEmpty();
    assertThat(result.outcomes()).isEmpty();
    assertThat(result.notes()).containsExactly("push of " + ECR + "/mirror/busybox:1.36 touches no row");
    assertThat(result.deleted()).isEqualTo(1);
    assertThat(messagesLeft()).isZero();
    assertThat(count("Scan")).as("requests: %s", requests).isZero();
    assertThat(count("Query")).as("one index query for the pushed repository").isEqualTo(1);
    assertThat(count("BatchGetItem")).as("the exact keys, in one read").isEqualTo(1);
    assertThat(requests.keySet()).containsExactlyInAnyOrder("Query", "BatchGetItem");
  }

  @Test
  void aPushFindsARowNeverSyncedByItsKeyAndALabelledRepositoryRowByTheIndex() {
    String handWritten = ECR + "/team/app:1";
    String labelled = ECR + "/team/app#ones";
    putByHand(handWritten, dst + "/app:1", Map.of());
    table.putDefinition(labelled, List.of(dst + "/app-ones"), List.of(), Optional.empty(),
        Map.of("Tags", AttributeValue.fromS("1")));
    table.putDefinition(ECR + "/team/other:1", List.of(dst + "/other:1"), List.of(), Optional.empty());
    assertThat(LocalDynamo.getItem(counted, table, handWritten)).doesNotContainKey("SourceRepository");
    push("team/app", "1");

    EventDrain.Result result = drain();

    assertThat(result.outcomes()).extracting(RowOutcome::key).containsExactlyInAnyOrder(handWritten, labelled);
    assertThat(batch.submitted()).extracting(s -> s.parameters().get("source"))
        .containsExactlyInAnyOrder(handWritten, ECR + "/team/app");
    assertThat(result.deleted()).isEqualTo(1);
    assertThat(count("Scan")).as("requests: %s", requests).isZero();
    // The status write taught the index the hand-written row: the next push finds it there.
    assertThat(LocalDynamo.getItem(counted, table, handWritten).get("SourceRepository").s()).isEqualTo(ECR + "/team/app");
  }

  @Test
  void aChainedRowWhoseSourceIsAnotherRowsDestinationKeepsWorking() {
    table.putDefinition("docker.io/library/app:1", List.of(ECR + "/mirror/app:1"), List.of(), Optional.empty());
    table.putDefinition(ECR + "/mirror/app:1", List.of(dst + "/chained:1"), List.of(), Optional.empty());
    push("mirror/app", "1");

    EventDrain.Result result = drain();

    assertThat(result.outcomes()).extracting(RowOutcome::key).containsExactly(ECR + "/mirror/app:1");
    assertThat(batch.submitted()).hasSize(1);
    assertThat(batch.submitted().get(0).parameters())
        .containsEntry("source", ECR + "/mirror/app:1").containsEntry("dest", dst + "/chained:1");
    assertThat(count("Scan")).isZero();
  }

  @Test
  void aPushOfAnImageAlreadyInSyncCostsNoJob() {
    table.putDefinition(ECR + "/team/app:3", List.of(dst + "/app:3"), List.of(), Optional.empty());
    push("team/app", "3");

    EventDrain.Result result = drain();

    assertThat(batch.submitted()).isEmpty();
    assertThat(result.deleted()).isEqualTo(1);
    assertThat(LocalDynamo.getItem(counted, table, ECR + "/team/app:3").get("MirrorStatus").s()).isEqualTo("in sync");
  }

  @Test
  void aTableWithoutTheIndexIsScannedUntilLocalModeAddsTheIndex() {
    // A table as an older version created it: keyed by Source, no index.
    String name = "old-" + System.nanoTime();
    counted.createTable(b -> b.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
        .keySchema(KeySchemaElement.builder().attributeName("Source").keyType(KeyType.HASH).build())
        .attributeDefinitions(AttributeDefinition.builder().attributeName("Source").attributeType(ScalarAttributeType.S).build()));
    table = new MirrorTable(counted, name);
    TagStateTable.beside(table).createIfMissing();
    putByHand(ECR + "/team/app:2#copy", dst + "/app:2", Map.of());
    push("team/app", "2");

    EventDrain.Result scanned = drain();

    assertThat(count("Scan")).as("the fallback for a table without the index").isEqualTo(1);
    assertThat(scanned.outcomes()).extracting(RowOutcome::key).containsExactly(ECR + "/team/app:2#copy");

    table.createIfMissing();
    assertThat(counted.describeTable(b -> b.tableName(name)).table().globalSecondaryIndexes())
        .extracting(i -> i.indexName()).containsExactly("SourceRepository");
    push("team/app", "2");

    EventDrain.Result looked = drain();

    assertThat(count("Scan")).isZero();
    assertThat(count("Query")).isEqualTo(1);
    assertThat(looked.outcomes()).extracting(RowOutcome::key).containsExactly(ECR + "/team/app:2#copy");
  }
}
