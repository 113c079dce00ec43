package dev.ecrmirror.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryOptions;
import dev.ecrmirror.common.retry.RetryPolicy;
import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.SimulatedTime;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.controller.aws.AwsClients;
import dev.ecrmirror.controller.drift.DigestResolver;
import dev.ecrmirror.controller.drift.DriftChecker;
import dev.ecrmirror.controller.drift.EcrDigests;
import dev.ecrmirror.controller.jobs.BatchJobRunner;
import dev.ecrmirror.controller.jobs.JobOutcome;
import dev.ecrmirror.controller.jobs.JobRunner;
import dev.ecrmirror.controller.jobs.JobStatus;
import dev.ecrmirror.controller.jobs.MirrorJob;
import dev.ecrmirror.controller.table.MirrorTable;
import dev.ecrmirror.controller.testing.BatchStub;
import dev.ecrmirror.controller.testing.EcrStub;
import dev.ecrmirror.controller.testing.LocalDynamo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The controller against DynamoDB Local, real registries and a recording Batch stub. */
class ControllerIT {
  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(2);

  @RegisterExtension
  static LocalDynamo dynamo = new LocalDynamo();

  static BatchStub batch;
  static EcrStub ecr;
  static AwsClients clients;
  static DynamoDbClient ddb;
  static RegistryClient registry;
  static String src;
  static String dst;
  static TestImages.Pushed app;

  MirrorTable table;

  @BeforeAll
  static void start() {
    batch = new BatchStub();
    ecr = new EcrStub();
    clients = dynamo.clients(batch.endpoint(), null, ecr.endpoint());
    ddb = clients.dynamo();
    registry = new RegistryClient(RegistryOptions.defaults().withRetryTimes(0));
    src = registries.get(0).host();
    dst = registries.get(1).host();
    // The same seed writes the same bytes: the destination's app:1 is the source's app:1.
    app = new TestImages(registries.get(0).baseUri(), 7).image("app", "linux", "amd64", "", false, 1, 256);
    new TestImages(registries.get(1).baseUri(), 7).image("app", "linux", "amd64", "", false, 1, 256);
    TestImages source = new TestImages(registries.get(0).baseUri(), 1);
    for (int i = 1; i <= 5; i++) {
      source.tag("app", Integer.toString(i), app);
    }
    new TestImages(registries.get(1).baseUri(), 1).tag("app", "1", app);
  }

  @AfterAll
  static void stop() {
    batch.close();
    ecr.close();
  }

  @BeforeEach
  void freshTable() {
    table = dynamo.newTable(ddb);
    batch.clear();
  }

  Controller controller() {
    return controller(Clock.systemUTC());
  }

  Controller controller(Clock clock) {
    DriftChecker checker = new DriftChecker(new DigestResolver(registry, Optional.of(new EcrDigests(clients::ecr)), 16));
    return new Controller(table, checker, new BatchJobRunner(clients.batch(), "mirror-queue", "worker-def",
        RetryPolicy.defaults().withBase(Duration.ofMillis(10))), clock, 4, 4);
  }

  @Test
  void anImmutableTagConflictIsTerminalAfterOneAttemptAndNotResubmittedUntilARetry() {
    put(src + "/app:2", AttributeValue.fromS(dst + "/immutable:2"), Map.of());
    SimulatedTime clock = new SimulatedTime(Instant.parse("2026-12-01T00:00:00Z"));
    controller(clock).sync(Controller.ALL, false);
    assertThat(batch.submitted()).hasSize(1);
    // The worker exits 4 when a destination refused the tag as immutable (its --help lists the codes).
    batch.setFailed(batch.submitted().get(0).jobId(), 4);

    RowOutcome second = controller(clock).sync(Controller.ALL, false).get(0);
    assertThat(second.action()).isEqualTo(RowOutcome.Action.CONFLICT);
    assertThat(second.ok()).isFalse();
    assertThat(item(src + "/app:2").get("MirrorStatus").s()).isEqualTo("conflict");
    assertThat(item(src + "/app:2").get("Attempts").n()).isEqualTo("1");
    assertThat(item(src + "/app:2").get("DestinationErrors").m()).containsOnlyKeys(dst + "/immutable:2");

    clock.advance(Duration.ofDays(3));
    RowOutcome third = controller(clock).sync(Controller.ALL, false).get(0);
    assertThat(third.action()).isEqualTo(RowOutcome.Action.CONFLICT);
    assertThat(third.detail()).hasValueSatisfying(d -> assertThat(d).contains("table retry"));
    assertThat(batch.submitted()).as("never resubmitted on its own").hasSize(1);

    RowOutcome retried = controller(clock).retryFailed(true).sync(Controller.ALL, false).get(0);
    assertThat(retried.action()).isEqualTo(RowOutcome.Action.SUBMITTED);
    assertThat(batch.submitted()).hasSize(2);
  }

  @Test
  void aTransientJobFailureIsRetriedOnlyOnceItsBackoffPassed() {
    put(src + "/app:3", AttributeValue.fromS(dst + "/flaky:3"), Map.of());
    SimulatedTime clock = new SimulatedTime(Instant.parse("2026-12-01T00:00:00Z"));
    controller(clock).sync(Controller.ALL, false);
    batch.setFailed(batch.submitted().get(0).jobId(), 1);

    RowOutcome failed = controller(clock).sync(Controller.ALL, false).get(0);
    assertThat(failed.action()).isEqualTo(RowOutcome.Action.RETRYING);
    Instant next = Instant.parse(item(src + "/app:3").get("NextAttemptAt").s());
    assertThat(next).isAfterOrEqualTo(clock.instant().plus(Duration.ofMinutes(1)))
        .isBeforeOrEqualTo(clock.instant().plus(Duration.ofMinutes(5)));
    assertThat(controller(clock).sync(Controller.ALL, false).get(0).action()).isEqualTo(RowOutcome.Action.RETRYING);
    assertThat(batch.submitted()).as("not before its next attempt").hasSize(1);

    clock.advance(Duration.ofMinutes(6));
    assertThat(controller(clock).sync(Controller.ALL, false).get(0).action()).isEqualTo(RowOutcome.Action.SUBMITTED);
    assertThat(batch.submitted()).hasSize(2);
    assertThat(batch.submitted().get(1).parameters()).containsEntry("pin", batch.submitted().get(0).parameters().get("pin"));
  }

  @Test
  void aJobThatSucceedsWithoutMovingTheDestinationIsAFailedAttemptNotASilentResubmit() {
    put(src + "/app:4", AttributeValue.fromS(dst + "/unmoved:4"), Map.of());
    SimulatedTime clock = new SimulatedTime(Instant.parse("2026-12-01T00:00:00Z"));
    controller(clock).sync(Controller.ALL, false);
    batch.setState(batch.submitted().get(0).jobId(), "SUCCEEDED", null);

    RowOutcome outcome = controller(clock).sync(Controller.ALL, false).get(0);
    assertThat(outcome.action()).isEqualTo(RowOutcome.Action.RETRYING);
    assertThat(outcome.ok()).isFalse();
    Map<String, AttributeValue> row = item(src + "/app:4");
    assertThat(row.get("MirrorStatus").s()).isEqualTo("retrying");
    assertThat(row.get("LastError").s()).contains("reported success", dst + "/unmoved:4", app.digest().toString());
    assertThat(row).doesNotContainKey("MirroredSourceDigest");
    assertThat(batch.submitted()).hasSize(1);
  }

  @Test
  void aClaimWhoseHolderDiedAfterSubmittingIsResolvedByItsJobNameNotASecondJob() {
    put(src + "/app:5", AttributeValue.fromS(dst + "/orphan:5"), Map.of());
    SimulatedTime clock = new SimulatedTime(Instant.parse("2026-12-01T00:00:00Z"));
    controller(clock).sync(Controller.ALL, false);
    String jobId = batch.submitted().get(0).jobId();
    // As if the controller died between SubmitJob and writing JobId: the row holds a claim and no job.
    ddb.updateItem(b -> b.tableName(table.name()).key(Map.of("Source", AttributeValue.fromS(src + "/app:5")))
        .updateExpression("REMOVE JobId"));

    assertThat(controller(clock).sync(Controller.ALL, false).get(0).action())
        .as("within the lease: still its holder's").isEqualTo(RowOutcome.Action.JOB_ACTIVE);
    clock.advance(Duration.ofMinutes(16));
    RowOutcome outcome = controller(clock).sync(Controller.ALL, false).get(0);
    assertThat(outcome.action()).isEqualTo(RowOutcome.Action.JOB_ACTIVE);
    assertThat(item(src + "/app:5").get("JobId").s()).isEqualTo(jobId);
    assertThat(batch.submitted()).hasSize(1);
  }

  @Test
  void aClaimWhoseJobOutlastsTheGraceIsKeptAliveAndNotTakenOverByAnotherController() throws Exception {
    put(src + "/app:2", AttributeValue.fromS(dst + "/long:1"), Map.of());
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    JobRunner slowCopy = new JobRunner() {
      @Override
      public JobOutcome run(MirrorJob job) {
        if (runs.incrementAndGet() == 1) {
          started.countDown();
          try {
            finish.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        String digest = job.sourceDigest().toString();
        return new JobOutcome.Finished("local-" + runs.get(), digest, Map.of(job.destinations().get(0).key(), digest), Map.of());
      }

      @Override
      public Map<String, JobStatus> describe(Collection<String> jobIds) {
        return jobIds.stream().collect(Collectors.toMap(id -> id, id -> JobStatus.unknown()));
      }
    };
    Duration grace = Duration.ofMillis(1500);
    DriftChecker checker = new DriftChecker(new DigestResolver(registry, Optional.empty(), 4));
    ExecutorService background = Executors.newSingleThreadExecutor();
    try {
      Future<List<RowOutcome>> first = background.submit(
          () -> new Controller(table, checker, slowCopy, Clock.systemUTC(), 1, 1, grace).sync(Controller.ALL, false));
      started.await();
      Thread.sleep(grace.multipliedBy(2).toMillis());

      List<RowOutcome> second = new Controller(table, checker, slowCopy, Clock.systemUTC(), 1, 1, grace)
          .sync(Controller.ALL, false);

      assertThat(second).extracting(RowOutcome::action).containsExactly(RowOutcome.Action.JOB_ACTIVE);
      finish.countDown();
      assertThat(first.get()).extracting(RowOutcome::action).containsExactly(RowOutcome.Action.MIRRORED);
      assertThat(runs).hasValue(1);
      assertThat(item(src + "/app:2").get("MirrorStatus").s()).isEqualTo("mirrored");
    } finally {
      finish.countDown();
      background.shutdownNow();
    }
  }

  void put(String source, AttributeValue destination, Map<String, AttributeValue> extra) {
    Map<String, AttributeValue> item = new HashMap<>(extra);
    item.put("Source", AttributeValue.fromS(source));
    item.put("Destination", destination);
    LocalDynamo.putItem(ddb, table, item);
  }

  Map<String, AttributeValue> item(String source) {
    return LocalDynamo.getItem(ddb, table, source);
  }

  @Test
  void everyDestinationFormIsReadAndOnlyDriftedDestinationsAreSubmitted() {
    String inSync = dst + "/app:1";
    put(src + "/app:1", AttributeValue.fromS(inSync), Map.of("Owner", AttributeValue.fromS("team-a")));
    put(src + "/app:2", AttributeValue.fromS(inSync + ", " + dst + "/comma:1"), Map.of());
    put(src + "/app:3", AttributeValue.fromSs(List.of(inSync, dst + "/set:1")), Map.of());
    put(src + "/app:4", AttributeValue.fromL(List.of(AttributeValue.fromS(inSync), AttributeValue.fromS(dst + "/list:1"))),
        Map.of("Enabled", AttributeValue.fromS("true")));
    put(src + "/app:5", AttributeValue.fromS(dst + "/plat"), Map.of("Platforms", AttributeValue.fromSs(List.of("linux/amd64"))));

    List<RowOutcome> outcomes = controller().sync(Controller.ALL, false);

    Map<String, RowOutcome.Action> actions = outcomes.stream().collect(Collectors.toMap(RowOutcome::key, RowOutcome::action));
    assertThat(actions).containsEntry(src + "/app:1", RowOutcome.Action.IN_SYNC)
        .containsEntry(src + "/app:2", RowOutcome.Action.SUBMITTED)
        .containsEntry(src + "/app:3", RowOutcome.Action.SUBMITTED)
        .containsEntry(src + "/app:4", RowOutcome.Action.SUBMITTED)
        .containsEntry(src + "/app:5", RowOutcome.Action.SUBMITTED);
    Map<String, BatchStub.Submitted> jobs = batch.submitted().stream()
        .collect(Collectors.toMap(s -> s.parameters().get("source"), s -> s));
    assertThat(jobs).hasSize(4);
    assertThat(jobs.get(src + "/app:2").parameters()).containsEntry("dest", dst + "/comma:1");
    assertThat(jobs.get(src + "/app:3").parameters()).containsEntry("dest", dst + "/set:1");
    assertThat(jobs.get(src + "/app:4").parameters()).containsEntry("dest", dst + "/list:1");
    assertThat(jobs.get(src + "/app:2").queue()).isEqualTo("mirror-queue");
    assertThat(jobs.get(src + "/app:2").definition()).isEqualTo("worker-def");
    assertThat(jobs.get(src + "/app:2").command()).isEmpty();
    // Every job is pinned to the digest the controller checked, in the one TAG@digest format.
    assertThat(jobs.get(src + "/app:2").parameters()).containsEntry("pin", "2@" + app.digest());
    assertThat(jobs.get(src + "/app:5").command())
        .containsExactly("--platform", "linux/amd64", "--pin", "5@" + app.digest(), src + "/app:5", dst + "/plat");

    Map<String, AttributeValue> synced = item(src + "/app:1");
    assertThat(synced.get("MirrorStatus").s()).isEqualTo("in sync");
    assertThat(synced.get("SourceDigest").s()).isEqualTo(app.digest().toString());
    assertThat(synced.get("DestinationDigests").m().get(inSync).s()).isEqualTo(app.digest().toString());
    assertThat(synced.get("CheckedAt").s()).isNotBlank();
    assertThat(synced.get("Owner").s()).isEqualTo("team-a");
    assertThat(synced.get("Destination").s()).isEqualTo(inSync);
    Map<String, AttributeValue> set = item(src + "/app:3");
    assertThat(set.get("MirrorStatus").s()).isEqualTo("submitted");
    assertThat(set.get("JobId").s()).isEqualTo(jobs.get(src + "/app:3").jobId());
    assertThat(set.get("Destination").ss()).containsExactlyInAnyOrder(inSync, dst + "/set:1");
    assertThat(item(src + "/app:4").get("Enabled").s()).isEqualTo("true");

    // Jobs still running: nothing new is submitted.
    batch.submitted().forEach(s -> batch.setState(s.jobId(), "RUNNING", null));
    int before = batch.submitted().size();
    assertThat(controller().sync(Controller.ALL, false)).extracting(RowOutcome::action)
        .containsOnly(RowOutcome.Action.IN_SYNC, RowOutcome.Action.JOB_ACTIVE);
    assertThat(batch.submitted()).hasSize(before);

    // The job for app:2 copied its destination and succeeded; app:3's failed.
    TestImages.Pushed copied = new TestImages(registries.get(1).baseUri(), 7).image("comma", "linux", "amd64", "", false, 1, 256);
    new TestImages(registries.get(1).baseUri(), 1).tag("comma", "1", copied);
    batch.setState(jobs.get(src + "/app:2").jobId(), "SUCCEEDED", null);
    batch.setState(jobs.get(src + "/app:3").jobId(), "FAILED", "Essential container in task exited");
    Map<String, RowOutcome> third = controller().sync(Controller.ALL, false).stream()
        .collect(Collectors.toMap(RowOutcome::key, o -> o));
    assertThat(third.get(src + "/app:2").action()).isEqualTo(RowOutcome.Action.MIRRORED);
    assertThat(third.get(src + "/app:3").action()).isEqualTo(RowOutcome.Action.RETRYING);
    assertThat(item(src + "/app:2").get("MirrorStatus").s()).isEqualTo("mirrored");
    assertThat(item(src + "/app:2").get("MirroredAt").s()).isNotBlank();
    assertThat(item(src + "/app:3").get("MirrorStatus").s()).isEqualTo("retrying");
    assertThat(item(src + "/app:3").get("LastError").s()).contains("Essential container in task exited");
    assertThat(batch.submitted()).hasSize(before);

    // Next run: app:2 is plainly in sync; app:3 waits for its next attempt (backoff) instead of a new job at once.
    Map<String, RowOutcome> fourth = controller().sync(Controller.ALL, false).stream()
        .collect(Collectors.toMap(RowOutcome::key, o -> o));
    assertThat(fourth.get(src + "/app:2").action()).isEqualTo(RowOutcome.Action.IN_SYNC);
    assertThat(fourth.get(src + "/app:3").action()).isEqualTo(RowOutcome.Action.RETRYING);
    assertThat(batch.submitted()).hasSize(before);
  }

  @Test
  void aBadRowIsMarkedInvalidAndTheOthersGoOn() {
    put(src + "/app:1", AttributeValue.fromN("42"), Map.of());
    put("NOT A REFERENCE", AttributeValue.fromS(dst + "/x:1"), Map.of());
    put(src + "/app:2", AttributeValue.fromS(dst + "/x:1"), Map.of("Enabled", AttributeValue.fromS("perhaps")));
    put(src + "/app:3", AttributeValue.fromS(dst + "/good:1"), Map.of());
    put(src + "/app:4", AttributeValue.fromS(dst + "/off:1"), Map.of("Enabled", AttributeValue.fromBool(false)));
    put(src + "/missing:1", AttributeValue.fromS(dst + "/m:1"), Map.of());

    Map<String, RowOutcome> outcomes = controller().sync(Controller.ALL, false).stream()
        .collect(Collectors.toMap(RowOutcome::key, o -> o));

    assertThat(outcomes.get(src + "/app:1").action()).isEqualTo(RowOutcome.Action.INVALID);
    assertThat(outcomes.get(src + "/app:1").detail()).hasValueSatisfying(d -> assertThat(d).contains("Destination is a number"));
    assertThat(outcomes.get("NOT A REFERENCE").action()).isEqualTo(RowOutcome.Action.INVALID);
    assertThat(outcomes.get(src + "/app:2").detail()).hasValueSatisfying(d -> assertThat(d).contains("Enabled"));
    assertThat(outcomes.get(src + "/app:3").action()).isEqualTo(RowOutcome.Action.SUBMITTED);
    assertThat(outcomes.get(src + "/app:4").action()).isEqualTo(RowOutcome.Action.DISABLED);
    assertThat(outcomes.get(src + "/missing:1").action()).isEqualTo(RowOutcome.Action.FAILED);
    assertThat(batch.submitted()).extracting(s -> s.parameters().get("source")).containsExactly(src + "/app:3");
    assertThat(item(src + "/app:1").get("MirrorStatus").s()).isEqualTo("invalid");
    assertThat(item(src + "/app:1").get("LastError").s()).contains("Destination");
    assertThat(item(src + "/missing:1").get("MirrorStatus").s()).isEqualTo("failed");
    assertThat(item(src + "/missing:1").get("LastError").s()).contains("not found");
    assertThat(item(src + "/app:4")).doesNotContainKey("MirrorStatus");
  }

  @Test
  void anUnreachableDestinationIsRetryingWithItsErrorAndGetsNoJob() {
    put(src + "/app:1", AttributeValue.fromS("127.0.0.1:1/nowhere:1"), Map.of());
    RowOutcome outcome = controller().sync(Controller.ALL, false).get(0);
    assertThat(outcome.action()).isEqualTo(RowOutcome.Action.RETRYING);
    assertThat(outcome.ok()).isFalse();
    assertThat(item(src + "/app:1").get("MirrorStatus").s()).isEqualTo("retrying");
    assertThat(item(src + "/app:1").get("DestinationErrors").m()).containsOnlyKeys("127.0.0.1:1/nowhere:1")
        .hasValueSatisfying(new org.assertj.core.api.Condition<>(v -> v.s().contains("127.0.0.1:1"), "names the registry"));
    assertThat(batch.submitted()).isEmpty();
  }

  @Test
  void aDeadDestinationDoesNotHoldBackAHealthyOneInBatchMode() {
    put(src + "/app:1", AttributeValue.fromS("127.0.0.1:1/nowhere:1," + dst + "/healthy:1"), Map.of());
    RowOutcome outcome = controller().sync(Controller.ALL, false).get(0);
    assertThat(outcome.action()).isEqualTo(RowOutcome.Action.SUBMITTED);
    assertThat(outcome.ok()).as("a destination failed: the run exits 1").isFalse();
    assertThat(batch.submitted()).singleElement()
        .satisfies(s -> assertThat(s.parameters().get("dest")).isEqualTo(dst + "/healthy:1"));
    assertThat(item(src + "/app:1").get("DestinationErrors").m()).containsOnlyKeys("127.0.0.1:1/nowhere:1");
  }

  @ParameterizedTest(name = "{0} controllers")
  @ValueSource(ints = {2, 5, 20})
  void controllersRacingSubmitEachDriftOnce(int controllers) throws Exception {
    for (int i = 0; i < 20; i++) {
      put(src + "/app:1-race" + i, AttributeValue.fromS(dst + "/race" + i + ":1"), Map.of());
    }
    // Sources must exist: tag them.
    TestImages images = new TestImages(registries.get(0).baseUri(), 3);
    for (int i = 0; i < 20; i++) {
      images.tag("app", "1-race" + i, app);
    }
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<RowOutcome>>> runs = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(controllers)) {
      for (int c = 0; c < controllers; c++) {
        Controller controller = controller();
        runs.add(pool.submit(() -> {
          go.await();
          return controller.sync(Controller.ALL, false);
        }));
      }
      go.countDown();
      List<RowOutcome> all = new ArrayList<>();
      for (Future<List<RowOutcome>> run : runs) {
        all.addAll(run.get());
      }
      assertThat(all).allMatch(RowOutcome::ok);
    }
    assertThat(batch.submitted()).hasSize(20);
    assertThat(batch.submitted()).extracting(s -> s.parameters().get("source")).doesNotHaveDuplicates();
  }

  @Test
  void throttledSubmissionsAreRetried() {
    put(src + "/app:1", AttributeValue.fromS(dst + "/throttled:1"), Map.of());
    batch.throttleNext(3);
    RowOutcome outcome = controller().sync(Controller.ALL, false).get(0);
    assertThat(outcome.action()).isEqualTo(RowOutcome.Action.SUBMITTED);
    assertThat(batch.throttled()).isEqualTo(3);
    assertThat(batch.submitted()).hasSize(1);
  }

  @Test
  void aScanReadsEveryPagePastOneMegabyte() {
    String padding = "x".repeat(10_000);
    for (int i = 0; i < 130; i++) {
      put(src + "/app:p" + i, AttributeValue.fromS(dst + "/p:1"), Map.of("Notes", AttributeValue.fromS(padding)));
    }
    var firstPage = ddb.scan(b -> b.tableName(table.name()));
    assertThat(firstPage.lastEvaluatedKey()).as("the table spans more than one page").isNotEmpty();
    assertThat(table.scan(1)).hasSize(130);
    assertThat(table.scan(4)).hasSize(130);
  }

  @Test
  void aDryRunWritesAndSubmitsNothing() {
    put(src + "/app:1", AttributeValue.fromS(dst + "/dry:1"), Map.of());
    put(src + "/app:2", AttributeValue.fromN("1"), Map.of());
    Map<String, AttributeValue> before1 = item(src + "/app:1");
    Map<String, AttributeValue> before2 = item(src + "/app:2");
    Map<String, RowOutcome> plan = controller().sync(Controller.ALL, true).stream()
        .collect(Collectors.toMap(RowOutcome::key, o -> o));
    assertThat(plan.get(src + "/app:1").action()).isEqualTo(RowOutcome.Action.WOULD_SUBMIT);
    assertThat(plan.get(src + "/app:1").why()).containsEntry(dst + "/dry:1", "missing");
    assertThat(item(src + "/app:1")).isEqualTo(before1);
    assertThat(item(src + "/app:2")).isEqualTo(before2);
    assertThat(batch.submitted()).isEmpty();
  }

  @Test
  void ecrDestinationsAreCheckedWithBatchedBatchGetImage() {
    String registryHost = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
    TestImages images = new TestImages(registries.get(0).baseUri(), 5);
    for (int i = 0; i < 105; i++) {
      images.tag("app", "e" + i, app);
      put(src + "/app:e" + i, AttributeValue.fromS(registryHost + "/mirror/app"), Map.of());
      if (i % 3 != 0) {
        ecr.put("mirror/app", "e" + i, app.digest().toString());
      }
    }
    List<RowOutcome> outcomes = controller().sync(Controller.ALL, false);
    assertThat(outcomes).filteredOn(o -> o.action() == RowOutcome.Action.SUBMITTED).hasSize(35);
    assertThat(outcomes).filteredOn(o -> o.action() == RowOutcome.Action.IN_SYNC).hasSize(70);
    assertThat(ecr.calls()).filteredOn(c -> c.repository().equals("mirror/app"))
        .extracting(EcrStub.Call::imageIds).containsExactlyInAnyOrder(100, 5);
    assertThat(ecr.calls()).extracting(EcrStub.Call::registryId).containsOnly("123456789012");
    assertThat(batch.submitted()).allMatch(s -> s.parameters().get("dest").equals(registryHost + "/mirror/app"));
  }
}
