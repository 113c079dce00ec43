package dev.ecrmirror.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryOptions;
import dev.ecrmirror.common.retry.RetryPolicy;
import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.MotoServer;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.controller.aws.AwsClients;
import dev.ecrmirror.controller.drift.DigestResolver;
import dev.ecrmirror.controller.drift.DriftChecker;
import dev.ecrmirror.controller.jobs.BatchJobRunner;
import dev.ecrmirror.controller.table.MirrorTable;
import dev.ecrmirror.controller.testing.LocalDynamo;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.batch.model.CEState;
import software.amazon.awssdk.services.batch.model.CEType;
import software.amazon.awssdk.services.batch.model.JQState;
import software.amazon.awssdk.services.batch.model.JobDefinitionType;
import software.amazon.awssdk.services.batch.model.JobDetail;
import software.amazon.awssdk.services.batch.model.JobStatus;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The controller submitting and reconciling real AWS Batch API calls, served by moto: a compute
 * environment, a job queue and the worker's job definition are created in moto, and every
 * assertion reads back what moto holds (jobs by queue, their parameters) and what the table says.
 *
 * <p>moto's Batch without Docker marks each job SUCCEEDED as it is submitted and runs nothing, so
 * the test plays the worker's part by copying the destination itself.
 */
class BatchOnMotoIT {
  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(2);

  @RegisterExtension
  static LocalDynamo dynamo = new LocalDynamo();

  static MotoServer moto;
  static AwsClients clients;
  static DynamoDbClient ddb;
  static RegistryClient registry;
  static String queueArn;
  static String definitionArn;
  static String src;
  static String dst;
  static TestImages.Pushed app;

  MirrorTable table;

  @BeforeAll
  static void start() throws Exception {
    moto = MotoServer.start();
    moto.configure("{\"batch\": {\"use_docker\": false}}");
    clients = dynamo.clients(moto.endpoint(), null, null);
    ddb = clients.dynamo();
    BatchClient batch = clients.batch();
    String serviceRole = createRole("batch-service");
    String environment = batch.createComputeEnvironment(b -> b.computeEnvironmentName("mirror-ce").state(CEState.ENABLED)
        .type(CEType.UNMANAGED).serviceRole(serviceRole)).computeEnvironmentArn();
    queueArn = batch.createJobQueue(b -> b.jobQueueName("mirror-queue").priority(1).state(JQState.ENABLED)
        .computeEnvironmentOrder(o -> o.order(1).computeEnvironment(environment))).jobQueueArn();
    // As the CDK app registers it: the command is Ref::source Ref::dest.
    definitionArn = batch.registerJobDefinition(b -> b.jobDefinitionName("mirror-worker")
        .type(JobDefinitionType.CONTAINER)
        .parameters(Map.of("source", "MISSING_SOURCE_PARAMETER", "dest", "MISSING_DEST_PARAMETER"))
        .containerProperties(c -> c.image("123456789012.dkr.ecr.us-east-1.amazonaws.com/ecr-mirror/mirror-worker:0.1.0")
            .vcpus(1).memory(2048).command("Ref::source", "Ref::dest"))).jobDefinitionArn();

    registry = new RegistryClient(RegistryOptions.defaults().withRetryTimes(0));
    src = registries.get(0).host();
    dst = registries.get(1).host();
    app = new TestImages(registries.get(0).baseUri(), 7).image("app", "linux", "amd64", "", false, 1, 256);
    new TestImages(registries.get(1).baseUri(), 7).image("app", "linux", "amd64", "", false, 1, 256);
    new TestImages(registries.get(1).baseUri(), 1).tag("app", "1", app);
  }

  /**
   * Creates an IAM role in moto (its Batch checks that a compute environment's service role
   * exists) and returns its ARN. A form post is all IAM's query API needs; moto picks the service
   * from the credential scope, and the controller module has no IAM client to do it with.
   */
  static String createRole(String name) throws Exception {
    String trust = URLEncoder.encode("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
        + "\"Principal\":{\"Service\":\"batch.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}", StandardCharsets.UTF_8);
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(moto.endpoint().resolve("/"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Authorization", "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/iam/aws4_request, "
            + "SignedHeaders=host, Signature=0")
        .POST(HttpRequest.BodyPublishers.ofString("Action=CreateRole&Version=2010-05-08&RoleName=" + name
            + "&AssumeRolePolicyDocument=" + trust))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return "arn:aws:iam::123456789012:role/" + name;
  }

  @AfterAll
  static void stop() {
    if (moto != null) {
      moto.close();
    }
  }

  @BeforeEach
  void freshTable() {
    table = dynamo.newTable(ddb);
  }

  Controller controller() {
    DriftChecker checker = new DriftChecker(new DigestResolver(registry, Optional.empty(), 16));
    return new Controller(table, checker, new BatchJobRunner(clients.batch(), queueArn, definitionArn,
        RetryPolicy.defaults().withBase(Duration.ofMillis(10))), Clock.systemUTC(), 4, 4);
  }

  @Test
  void oneJobPerDriftedRowWithTheWorkersParametersThenTheSucceededJobIsReconciled() {
    TestImages source = new TestImages(registries.get(0).baseUri(), 1);
    source.tag("app", "moto-1", app);
    source.tag("app", "moto-2", app);
    put(src + "/app:moto-1", dst + "/app:1");                       // in sync already
    put(src + "/app:moto-2", dst + "/app:1, " + dst + "/moto:2");   // one destination drifted

    Map<String, RowOutcome> first = byKey(controller().sync(Controller.ALL, false));

    assertThat(first.get(src + "/app:moto-1").action()).isEqualTo(RowOutcome.Action.IN_SYNC);
    assertThat(first.get(src + "/app:moto-2").action()).isEqualTo(RowOutcome.Action.SUBMITTED);
    List<JobDetail> jobs = jobsFor(src + "/app:moto-2");
    assertThat(jobs).singleElement().satisfies(job -> {
      assertThat(job.jobQueue()).isEqualTo(queueArn);
      assertThat(job.jobDefinition()).isEqualTo(definitionArn);
      // Only the drifted destination, as the worker's dest parameter.
      assertThat(job.parameters()).containsEntry("source", src + "/app:moto-2").containsEntry("dest", dst + "/moto:2");
    });
    assertThat(item(src + "/app:moto-2").get("MirrorStatus").s()).isEqualTo("submitted");
    assertThat(item(src + "/app:moto-2").get("JobId").s()).isEqualTo(jobs.get(0).jobId());

    // The worker's part: the destination now holds the source's digest. moto says SUCCEEDED.
    // The same seed writes the same bytes, so moto:2 gets the source's digest.
    TestImages.Pushed copied = new TestImages(registries.get(1).baseUri(), 7).image("moto", "linux", "amd64", "", false, 1, 256);
    new TestImages(registries.get(1).baseUri(), 1).tag("moto", "2", copied);
    assertThat(copied.digest()).isEqualTo(app.digest());
    Map<String, RowOutcome> second = byKey(controller().sync(Controller.ALL, false));

    assertThat(second.get(src + "/app:moto-2").action()).isEqualTo(RowOutcome.Action.MIRRORED);
    assertThat(item(src + "/app:moto-2").get("MirrorStatus").s()).isEqualTo("mirrored");
    assertThat(item(src + "/app:moto-2").get("MirroredAt").s()).isNotBlank();
    assertThat(jobsFor(src + "/app:moto-2")).as("no second job").hasSize(1);
  }

  @Test
  void aJobMotoCallsSucceededThatMovedNothingIsAFailedAttemptAndNotSubmittedAgain() {
    new TestImages(registries.get(0).baseUri(), 1).tag("app", "moto-idle", app);
    put(src + "/app:moto-idle", dst + "/idle:1");
    controller().sync(Controller.ALL, false);
    assertThat(jobsFor(src + "/app:moto-idle")).singleElement()
        .satisfies(job -> assertThat(job.statusAsString()).isEqualTo("SUCCEEDED"));

    // moto ran nothing: the destination still lacks the image.
    RowOutcome second = controller().sync(Controller.ALL, false).get(0);
    assertThat(second.action()).isEqualTo(RowOutcome.Action.RETRYING);
    assertThat(second.ok()).as("sync exits 1").isFalse();
    assertThat(item(src + "/app:moto-idle").get("MirrorStatus").s()).isEqualTo("retrying");
    assertThat(item(src + "/app:moto-idle").get("LastError").s()).contains("reported success", dst + "/idle:1");
    assertThat(controller().sync(Controller.ALL, false).get(0).action()).isEqualTo(RowOutcome.Action.RETRYING);
    assertThat(jobsFor(src + "/app:moto-idle")).as("no silent resubmit").hasSize(1);
  }

  @Test
  void twoControllersRacingSubmitEachDriftOnce() throws Exception {
    TestImages source = new TestImages(registries.get(0).baseUri(), 3);
    for (int i = 0; i < 12; i++) {
      source.tag("app", "race" + i, app);
      put(src + "/app:race" + i, dst + "/race" + i + ":1");
    }
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<RowOutcome>>> runs = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
      for (int c = 0; c < 2; c++) {
        Controller controller = controller();
        runs.add(pool.submit(() -> {
          go.await();
          return controller.sync(Controller.ALL, false);
        }));
      }
      go.countDown();
      for (Future<List<RowOutcome>> run : runs) {
        assertThat(run.get()).allMatch(RowOutcome::ok);
      }
    }

    List<String> submittedSources = allJobs().stream()
        .map(j -> j.parameters().get("source"))
        .filter(s -> s.startsWith(src + "/app:race"))
        .toList();
    assertThat(submittedSources).hasSize(12).doesNotHaveDuplicates();
  }

  private void put(String source, String destination) {
    LocalDynamo.putItem(ddb, table, Map.of("Source", AttributeValue.fromS(source),
        "Destination", AttributeValue.fromS(destination)));
  }

  private Map<String, AttributeValue> item(String source) {
    return LocalDynamo.getItem(ddb, table, source);
  }

  private static Map<String, RowOutcome> byKey(List<RowOutcome> outcomes) {
    return outcomes.stream().collect(Collectors.toMap(RowOutcome::key, o -> o));
  }

  /** Every job moto holds on the queue, whatever its status, with its details. */
  private static List<JobDetail> allJobs() {
    BatchClient batch = clients.batch();
    List<String> ids = new ArrayList<>();
    for (JobStatus status : List.of(JobStatus.SUBMITTED, JobStatus.PENDING, JobStatus.RUNNABLE, JobStatus.STARTING,
        JobStatus.RUNNING, JobStatus.SUCCEEDED, JobStatus.FAILED)) {
      batch.listJobsPaginator(b -> b.jobQueue(queueArn).jobStatus(status))
          .jobSummaryList().forEach(s -> ids.add(s.jobId()));
    }
    List<JobDetail> details = new ArrayList<>();
    for (int i = 0; i < ids.size(); i += 100) {
      List<String> page = ids.subList(i, Math.min(ids.size(), i + 100));
      details.addAll(batch.describeJobs(b -> b.jobs(page)).jobs());
    }
    return details;
  }

  private static List<JobDetail> jobsFor(String source) {
    return allJobs().stream().filter(j -> source.equals(j.parameters().get("source"))).toList();
  }
}
