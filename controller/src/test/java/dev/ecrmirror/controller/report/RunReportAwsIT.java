package dev.ecrmirror.controller.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.MotoServer;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.controller.aws.AwsClients;
import dev.ecrmirror.controller.table.MirrorTable;
import dev.ecrmirror.controller.testing.BatchStub;
import dev.ecrmirror.controller.testing.Cli;
import dev.ecrmirror.controller.testing.EcrStub;
import dev.ecrmirror.controller.testing.LocalDynamo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code sync --report} as deployed: the table in DynamoDB Local, jobs on the Batch stub (moto's
 * Batch runs nothing, and a job's exit code must be set: see BatchStub), and the report written to
 * S3 on a real moto_server.
 */
class RunReportAwsIT {
  static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(2);

  @RegisterExtension
  static LocalDynamo dynamo = new LocalDynamo();

  static BatchStub batch;
  static EcrStub ecr;
  static MotoServer moto;
  static AwsClients clients;
  static S3Client s3;
  static String src;
  static String dst;
  static TestImages.Pushed app;

  MirrorTable table;

  @TempDir
  Path out;

  @BeforeAll
  static void start() throws Exception {
    batch = new BatchStub();
    ecr = new EcrStub();
    moto = MotoServer.start();
    clients = dynamo.clients(batch.endpoint(), null, ecr.endpoint());
    s3 = S3Client.builder().endpointOverride(moto.endpoint()).forcePathStyle(true).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build();
    s3.createBucket(b -> b.bucket("reports"));
    src = registries.get(0).host();
    dst = registries.get(1).host();
    app = new TestImages(registries.get(0).baseUri(), 7).image("app", "linux", "amd64", "", false, 1, 256);
    new TestImages(registries.get(1).baseUri(), 7).image("app", "linux", "amd64", "", false, 1, 256);
    TestImages source = new TestImages(registries.get(0).baseUri(), 1);
    source.tag("app", "1", app);
    source.tag("app", "2", app);
    new TestImages(registries.get(1).baseUri(), 1).tag("app", "1", app);
    // The CLI builds its own clients from the default chain: give it test credentials.
    System.setProperty("aws.accessKeyId", "test");
    System.setProperty("aws.secretAccessKey", "test");
  }

  @AfterAll
  static void stop() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    s3.close();
    moto.close();
    batch.close();
    ecr.close();
  }

  @BeforeEach
  void freshTable() {
    table = dynamo.newTable(clients.dynamo());
    batch.clear();
  }

  void put(String source, String destination) {
    LocalDynamo.putItem(clients.dynamo(), table, Map.of("Source", AttributeValue.fromS(source),
        "Destination", AttributeValue.fromS(destination)));
  }

  Cli.Run sync(String... extra) {
    List<String> args = new ArrayList<>(List.of("sync", "--table", table.name(), "--region", "us-east-1",
        "--dynamodb-endpoint-url", dynamo.endpoint().toString(), "--batch-endpoint-url", batch.endpoint().toString(),
        "--ecr-endpoint-url", ecr.endpoint().toString(), "--s3-endpoint-url", moto.endpoint().toString(),
        "--job-queue", "mirror-queue", "--job-definition", "worker"));
    args.addAll(List.of(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  @Test
  void submittedConflictAndInvalidRowsAreReportedToAFileAndToS3() throws Exception {
    put(src + "/app:1", dst + "/app:1");
    put(src + "/app:2", dst + "/immutable:2");
    put("not a reference!", dst + "/x:1");
    String digest = app.digest().toString();

    Path first = out.resolve("first.csv");
    Cli.Run submit = sync("--report", first.toString());
    assertThat(submit.exitCode()).as("the invalid row").isEqualTo(1);
    List<Map<String, String>> records = RunReportIT.csv(Files.readString(first));
    assertThat(records).extracting(r -> r.get("source") + " -> " + r.get("destination") + ": " + r.get("outcome"))
        .containsExactly(src + "/app:1 -> " + dst + "/app:1: in sync", src + "/app:2 -> " + dst + "/immutable:2: submitted",
            "not a reference! -> : invalid");
    Map<String, String> submitted = records.get(1);
    assertThat(submitted.get("sourceDigest")).isEqualTo(digest);
    assertThat(submitted.get("digestBefore")).isEmpty();
    assertThat(submitted.get("digest")).as("the job has not run yet").isEmpty();
    assertThat(submitted.get("bytesUploaded") + submitted.get("seconds")).as("known only for copies in process").isEmpty();
    assertThat(records.get(2).get("error")).isNotEmpty();

    // The worker exits 4 when a destination refused the tag as immutable.
    batch.setFailed(batch.submitted().get(0).jobId(), 4);
    Cli.Run conflict = sync("--report", "s3://reports/runs/second.json");
    assertThat(conflict.exitCode()).isEqualTo(1);
    assertThat(conflict.err()).doesNotContain("warning");
    JsonNode lines = JSON.readTree(s3.getObjectAsBytes(b -> b.bucket("reports").key("runs/second.json")).asUtf8String());
    assertThat(lines).hasSize(3);
    JsonNode immutable = lines.get(1);
    assertThat(immutable.path("destination").asText()).isEqualTo(dst + "/immutable:2");
    assertThat(immutable.path("outcome").asText()).isEqualTo("conflict");
    assertThat(immutable.path("error").asText()).contains("job", "failed");
    assertThat(lines.get(0).path("outcome").asText()).isEqualTo("in sync");
    assertThat(lines.get(2).path("outcome").asText()).isEqualTo("invalid");
  }

  @Test
  void aBucketThatCannotBeWrittenIsOneWarningAndTheExitCodeIsUnchanged() {
    put(src + "/app:1", dst + "/app:1");

    Cli.Run run = sync("--report", "s3://no-such-bucket/report.csv.gz");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err().strip().lines()).singleElement().satisfies(line -> assertThat(line)
        .startsWith("controller sync: warning: report not written: cannot write s3://no-such-bucket/report.csv.gz: ")
        .contains("NoSuchBucket"));
    assertThat(run.out()).contains("1 in sync");
  }
}
