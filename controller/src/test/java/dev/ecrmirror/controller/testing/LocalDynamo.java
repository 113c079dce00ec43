package dev.ecrmirror.controller.testing;

import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBRequestHandler;
import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBServerHandler;
import dev.ecrmirror.controller.aws.AwsClients;
import dev.ecrmirror.controller.table.MirrorTable;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A JUnit extension running DynamoDB Local in process, in memory, behind an HTTP endpoint on
 * loopback for a test class, with AWS clients pointed at it and at any stubs; stopped afterwards.
 * The tests using it drive the controller's AWS mode, which reaches DynamoDB over HTTP; local
 * mode itself embeds DynamoDB Local without a socket (see LocalModeIT). DynamoDB Local's own
 * server binds every interface and has no option to choose one, so the fixture builds the
 * server from its request handler with a connector bound to 127.0.0.1.
 */
public final class LocalDynamo implements BeforeAllCallback, AfterAllCallback {
  private static final AtomicInteger TABLES = new AtomicInteger();

  private LocalDynamoDBRequestHandler requests;
  private Server server;
  private URI endpoint;
  private AwsClients clients;
  private AwsClients.Endpoints endpoints;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    // (0, in memory, no path, one database for every credential, no artificial delays)
    requests = new LocalDynamoDBRequestHandler(0, true, null, true, false);
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(new LocalDynamoDBServerHandler(requests, null));
    server.start();
    endpoint = URI.create("http://127.0.0.1:" + connector.getLocalPort());
  }

  /** Clients for DynamoDB Local plus the given stub endpoints (null for none). */
  public AwsClients clients(java.net.URI batch, java.net.URI sqs, java.net.URI ecr) {
    if (clients != null) {
      clients.close();
    }
    endpoints = new AwsClients.Endpoints(Optional.of(endpoint), Optional.ofNullable(batch),
        Optional.ofNullable(sqs), Optional.ofNullable(ecr));
    clients = new AwsClients(Optional.of(Region.US_EAST_1),
        StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")), endpoints);
    return clients;
  }

  public URI endpoint() {
    return endpoint;
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
  public void afterAll(ExtensionContext context) throws Exception {
    if (clients != null) {
      clients.close();
    }
    if (server != null) {
      server.stop();
    }
    if (requests != null) {
      requests.shutdown();
    }
  }
}
