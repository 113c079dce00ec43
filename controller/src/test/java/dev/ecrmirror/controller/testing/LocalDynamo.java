package dev.ecrmirror.controller.testing;

import dev.ecrmirror.controller.aws.AwsClients;
import dev.ecrmirror.controller.local.DynamoDbLocal;
import dev.ecrmirror.controller.table.MirrorTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A JUnit extension running DynamoDB Local in process (the same embedding local mode uses) for a
 * test class, with AWS clients pointed at it and at any stubs; stopped and deleted afterwards.
 */
public final class LocalDynamo implements BeforeAllCallback, AfterAllCallback {
  private static final AtomicInteger TABLES = new AtomicInteger();

  private Path dir;
  private DynamoDbLocal db;
  private AwsClients clients;
  private AwsClients.Endpoints endpoints;

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    dir = Files.createTempDirectory("ddb-local");
    db = DynamoDbLocal.start(dir);
  }

  /** Clients for DynamoDB Local plus the given stub endpoints (null for none). */
  public AwsClients clients(java.net.URI batch, java.net.URI sqs, java.net.URI ecr) {
    if (clients != null) {
      clients.close();
    }
    endpoints = new AwsClients.Endpoints(Optional.of(db.endpoint()), Optional.ofNullable(batch),
        Optional.ofNullable(sqs), Optional.ofNullable(ecr));
    clients = new AwsClients(Optional.of(Region.US_EAST_1),
        StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")), endpoints);
    return clients;
  }

  public java.net.URI endpoint() {
    return db.endpoint();
  }

  /** A new empty table with a unique name. */
  public MirrorTable newTable(DynamoDbClient dynamo) {
    MirrorTable table = new MirrorTable(dynamo, "mirror-" + TABLES.incrementAndGet());
    table.createIfMissing();
    return table;
  }

  /** Writes an item as a user would, with any attribute types. */
  public static void putItem(DynamoDbClient dynamo, MirrorTable table, Map<String, AttributeValue> item) {
    dynamo.putItem(b -> b.tableName(table.name()).item(item));
  }

  public static Map<String, AttributeValue> getItem(DynamoDbClient dynamo, MirrorTable table, String source) {
    return dynamo.getItem(b -> b.tableName(table.name()).consistentRead(true)
        .key(Map.of("Source", AttributeValue.fromS(source)))).item();
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (clients != null) {
      clients.close();
    }
    if (db != null) {
      db.close();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
