package dev.ecrmirror.controller.ecrtags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.ecrmirror.common.testing.MotoServer;
import dev.ecrmirror.controller.aws.AwsClients;
import dev.ecrmirror.controller.table.DerivedRow;
import dev.ecrmirror.controller.table.MirrorTable;
import dev.ecrmirror.controller.testing.Cli;
import dev.ecrmirror.controller.testing.LocalDynamo;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.Tag;

/**
 * Rows from ECR repository tags end to end: moto's ECR API holds the repositories and their tags
 * (CreateRepository with tags, TagResource, UntagResource, DeleteRepository), DynamoDB Local holds
 * the mirror table.
 */
class EcrTagRowsIT {
  @RegisterExtension
  static final LocalDynamo dynamo = new LocalDynamo();

  private static final String REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
  private static MotoServer moto;
  private static AwsClients clients;
  private static EcrClient ecr;
  private static DynamoDbClient ddb;
  private MirrorTable table;

  @BeforeAll
  static void start() throws Exception {
    moto = MotoServer.start();
    clients = dynamo.clients(null, null, moto.endpoint());
    ecr = clients.ecr(Region.US_EAST_1);
    ddb = clients.dynamo();
    // The CLI builds its own clients from the default chain: give it test credentials.
    System.setProperty("aws.accessKeyId", "test");
    System.setProperty("aws.secretAccessKey", "test");
  }

  @AfterAll
  static void stop() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    if (moto != null) {
      moto.close();
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    moto.reset();
    table = dynamo.newTable(ddb);
  }

  private static String arn(String repository) {
    return "arn:aws:ecr:us-east-1:123456789012:repository/" + repository;
  }

  private static void create(String repository, Map<String, String> tags) {
    ecr.createRepository(b -> b.repositoryName(repository).tags(tags.entrySet().stream()
        .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList()));
  }

  private EcrTagRows rows() {
    return new EcrTagRows(new EcrRepositoryTags(ecr, Region.US_EAST_1), table, EcrTagKeys.defaults());
  }

  private Map<String, AttributeValue> item(String key) {
    return LocalDynamo.getItem(ddb, table, key);
  }

  @Test
  void taggedRepositoriesBecomeRowsAndASteadyStateWritesNothing() {
    create("mirror/nginx", Map.of("ecr_sync_source", "nginx", "ecr_sync_constraint", "-ge 1.25",
        "ecr_sync_exclude_rls", "alpine,perl", "ecr_sync_max_results", "3"));
    create("edge/nginx", Map.of("upstream-image", "nginx", "upstream-tags", "1.27.0/1.27.1"));
    create("mirror/plain", Map.of("team", "platform"));

    EcrTagRows.Result first = rows().apply(false);

    assertThat(first.summary()).isEqualTo("from ECR tags: 2 rows written, 0 deleted, 0 unchanged");
    assertThat(first.notes()).isEmpty();
    String mirrorKey = "docker.io/library/nginx#ecr:" + REGISTRY + "/mirror/nginx";
    String edgeKey = "docker.io/library/nginx#ecr:" + REGISTRY + "/edge/nginx";
    assertThat(item(mirrorKey)).isEqualTo(Map.of(
        "Source", AttributeValue.fromS(mirrorKey),
        "SourceRepository", AttributeValue.fromS("docker.io/library/nginx"),
        "Destination", AttributeValue.fromS(REGISTRY + "/mirror/nginx"),
        "Constraint", AttributeValue.fromS("-ge 1.25"),
        "ExcludePrereleases", AttributeValue.fromS("alpine,perl"),
        "MaxResults", AttributeValue.fromN("3"),
        "Origin", AttributeValue.fromS(arn("mirror/nginx"))));
    assertThat(item(edgeKey)).containsEntry("Tags", AttributeValue.fromS("1.27.0,1.27.1"))
        .containsEntry("Destination", AttributeValue.fromS(REGISTRY + "/edge/nginx"))
        .containsEntry("Origin", AttributeValue.fromS(arn("edge/nginx")));

    // The controller's status attributes are its own: a rewrite of the definition keeps them.
    ddb.updateItem(b -> b.tableName(table.name()).key(Map.of("Source", AttributeValue.fromS(mirrorKey)))
        .updateExpression("SET MirrorStatus = :s").expressionAttributeValues(Map.of(":s", AttributeValue.fromS("in sync"))));

    EcrTagRows.Result second = rows().apply(false);
    assertThat(second.summary()).isEqualTo("from ECR tags: 0 rows written, 0 deleted, 2 unchanged");

    ecr.tagResource(b -> b.resourceArn(arn("mirror/nginx")).tags(Tag.builder().key("ecr_sync_max_results").value("5").build()));
    assertThat(rows().apply(false).summary()).isEqualTo("from ECR tags: 1 row written, 0 deleted, 1 unchanged");
    assertThat(item(mirrorKey)).containsEntry("MaxResults", AttributeValue.fromN("5"))
        .containsEntry("MirrorStatus", AttributeValue.fromS("in sync"));
  }

  @Test
  void aRepositoryThatLosesItsTagsOrIsDeletedLosesItsRowAndUserRowsStay() {
    create("mirror/nginx", Map.of("ecr_sync_source", "nginx", "ecr_sync_constraint", "-ge 1.25"));
    create("mirror/alpine", Map.of("upstream-image", "alpine", "upstream-tags", "3.20"));
    LocalDynamo.putItem(ddb, table, Map.of("Source", AttributeValue.fromS("docker.io/library/redis:7"),
        "Destination", AttributeValue.fromS(REGISTRY + "/mirror/redis")));
    rows().apply(false);

    ecr.untagResource(b -> b.resourceArn(arn("mirror/nginx")).tagKeys("ecr_sync_source", "ecr_sync_constraint"));
    ecr.deleteRepository(b -> b.repositoryName("mirror/alpine"));
    EcrTagRows.Result result = rows().apply(false);

    assertThat(result.summary()).isEqualTo("from ECR tags: 0 rows written, 2 deleted, 0 unchanged");
    assertThat(item("docker.io/library/nginx#ecr:" + REGISTRY + "/mirror/nginx")).isEmpty();
    assertThat(item("docker.io/library/alpine#ecr:" + REGISTRY + "/mirror/alpine")).isEmpty();
    assertThat(item("docker.io/library/redis:7")).containsKey("Destination");
  }

  @Test
  void aBadValueIsWrittenAsGivenAndTheOtherRepositoriesGoOn() {
    create("mirror/bad", Map.of("ecr_sync_source", "nginx", "ecr_sync_max_results", "-1"));
    create("mirror/good", Map.of("ecr_sync_source", "ghcr.io/kedacore/keda", "ecr_sync_include_tags", "2.4.0,2.5.0"));

    EcrTagRows.Result result = rows().apply(false);

    assertThat(result.summary()).isEqualTo("from ECR tags: 2 rows written, 0 deleted, 0 unchanged");
    assertThat(result.notes()).containsExactly(
        "ECR repository " + arn("mirror/bad") + ": ecr_sync_max_results '-1' is not a positive integer");
    assertThat(item("docker.io/library/nginx#ecr:" + REGISTRY + "/mirror/bad"))
        .containsEntry("MaxResults", AttributeValue.fromS("-1"));
    assertThat(item("ghcr.io/kedacore/keda#ecr:" + REGISTRY + "/mirror/good"))
        .containsEntry("Tags", AttributeValue.fromS("2.4.0,2.5.0"));
  }

  @Test
  void aUsersRowUnderADerivedKeyIsLeftAlone() {
    String key = "docker.io/library/nginx#ecr:" + REGISTRY + "/mirror/nginx";
    LocalDynamo.putItem(ddb, table, Map.of("Source", AttributeValue.fromS(key),
        "Destination", AttributeValue.fromS("ghcr.io/me/nginx")));
    create("mirror/nginx", Map.of("ecr_sync_source", "nginx", "ecr_sync_constraint", "-ge 1.25"));

    EcrTagRows.Result result = rows().apply(false);

    assertThat(result.written()).isZero();
    assertThat(result.notes()).singleElement().asString().contains(key, "a user wrote");
    assertThat(item(key)).isEqualTo(Map.of("Source", AttributeValue.fromS(key),
        "Destination", AttributeValue.fromS("ghcr.io/me/nginx")));
  }

  @Test
  void syncFromEcrTagsWritesTheRowsFirstAndADryRunWritesNothing() {
    create("mirror/app", Map.of("ecr_sync_source", "127.0.0.1:9/team/app", "ecr_sync_constraint", "-ge 1.0"));
    create("mirror/bad", Map.of("ecr_sync_source", "127.0.0.1:9/team/bad", "ecr_sync_max_results", "0"));
    String[] common = {"sync", "--from-ecr-tags", "--table", table.name(), "--region", "us-east-1",
        "--dynamodb-endpoint-url", dynamo.endpoint().toString(), "--ecr-endpoint-url", moto.endpoint().toString()};

    Cli.Run dry = Cli.run(concat(common, "--dry-run"));
    assertThat(dry.err()).contains("from ECR tags (dry run, nothing written): 2 rows to write, 0 to delete, 0 unchanged",
        "note: ECR repository " + arn("mirror/bad") + ": ecr_sync_max_results '0' is not a positive integer");
    assertThat(table.derivedRows()).isEmpty();

    // The row's own check and job are the controller's business (its source is a closed loopback
    // port here); this run is about the rows written before the scan.
    Cli.Run run = Cli.run(concat(common, "--job-queue", "q", "--job-definition", "d",
        "--batch-endpoint-url", "http://127.0.0.1:9"));
    assertThat(run.err()).contains("from ECR tags: 2 rows written, 0 deleted, 0 unchanged");
    assertThat(table.derivedRows()).extracting(DerivedRow::key, DerivedRow::origin).containsExactlyInAnyOrder(
        tuple("127.0.0.1:9/team/app#ecr:" + REGISTRY + "/mirror/app", arn("mirror/app")),
        tuple("127.0.0.1:9/team/bad#ecr:" + REGISTRY + "/mirror/bad", arn("mirror/bad")));
    // The bad value reaches the table as given; the row's check marks it invalid, saying why.
    assertThat(run.out()).containsPattern("127\\.0\\.0\\.1:9/team/bad#ecr:\\S+ +invalid .*MaxResults");
    assertThat(run.out()).contains("127.0.0.1:9/team/app#ecr:" + REGISTRY + "/mirror/app");

    Cli.Run bad = Cli.run(concat(common, "--dry-run", "--ecr-tag-key", "sauce=x"));
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).startsWith("controller sync: --ecr-tag-key 'sauce=x': unknown tag key field 'sauce'").endsWith(" (see --help)" + System.lineSeparator());
  }

  private static String[] concat(String[] head, String... tail) {
    String[] out = java.util.Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, out, head.length, tail.length);
    return out;
  }
}
