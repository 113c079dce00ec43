package dev.ecrmirror.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.ref.Pin;
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
import dev.ecrmirror.controller.table.MirrorTable;
import dev.ecrmirror.controller.table.TagStateTable;
import dev.ecrmirror.controller.testing.BatchStub;
import dev.ecrmirror.controller.testing.EcrStub;
import dev.ecrmirror.controller.testing.LocalDynamo;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Repository rows through the Batch path: DynamoDB Local (mirror and tag tables), real
 * registries, and the recording Batch and ECR stubs (no emulator runs Batch jobs or serves
 * BatchGetImage with real digests).
 */
class RepositoryRowsIT {
  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(2);

  @RegisterExtension
  static LocalDynamo dynamo = new LocalDynamo();

  static final String ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
  static BatchStub batch;
  static EcrStub ecr;
  static AwsClients clients;
  static DynamoDbClient ddb;
  static RegistryClient registry;
  static String src;
  static String dst;
  static TestImages.Pushed one;
  static TestImages.Pushed two;

  MirrorTable table;
  TagStateTable tags;

  @BeforeAll
  static void start() {
    batch = new BatchStub();
    ecr = new EcrStub();
    clients = dynamo.clients(batch.endpoint(), null, ecr.endpoint());
    ddb = clients.dynamo();
    registry = new RegistryClient(RegistryOptions.defaults().withRetryTimes(0));
    src = registries.get(0).host();
    dst = registries.get(1).host();
    // The same seed writes the same bytes: the destination's tool:1.0.0 is the source's.
    one = new TestImages(registries.get(0).baseUri(), 7).image("tool", "linux", "amd64", "", false, 1, 256);
    new TestImages(registries.get(1).baseUri(), 7).image("tool", "linux", "amd64", "", false, 1, 256);
    two = new TestImages(registries.get(0).baseUri(), 8).image("tool", "linux", "amd64", "", false, 1, 256);
    TestImages source = new TestImages(registries.get(0).baseUri(), 1);
    source.tag("tool", "1.0.0", one);
    source.tag("tool", "1.1.0", two);
    source.tag("tool", "latest", two);
    source.tag("tool", "nightly", two);
    new TestImages(registries.get(1).baseUri(), 1).tag("tool", "1.0.0", one);
  }

  @AfterAll
  static void stop() {
    batch.close();
    ecr.close();
  }

  @BeforeEach
  void freshTables() {
    table = dynamo.newTable(ddb);
    tags = TagStateTable.beside(table);
    tags.createIfMissing();
    batch.clear();
  }

  Controller controller() {
    DriftChecker checker = new DriftChecker(new DigestResolver(registry, Optional.of(new EcrDigests(clients::ecr)), 8));
    return new Controller(table, tags, checker, new BatchJobRunner(clients.batch(), "mirror-queue", "worker-def",
        RetryPolicy.defaults().withBase(Duration.ofMillis(10))), clock, 2, 4);
  }

  void put(String source, String destination, Map<String, AttributeValue> extra) {
    Map<String, AttributeValue> item = new HashMap<>(extra);
    item.put("Source", AttributeValue.fromS(source));
    item.put("Destination", AttributeValue.fromS(destination));
    LocalDynamo.putItem(ddb, table, item);
  }

  Map<String, AttributeValue> row(String key) {
    return LocalDynamo.getItem(ddb, table, key);
  }

  Map<String, Map<String, AttributeValue>> tagItems(String key) {
    return ddb.queryPaginator(b -> b.tableName(tags.name()).keyConditionExpression("#s = :s")
        .expressionAttributeNames(Map.of("#s", "Source")).expressionAttributeValues(Map.of(":s", AttributeValue.fromS(key))))
        .items().stream().collect(Collectors.toMap(i -> i.get("Tag").s(), i -> i));
  }

  /** The controllers' clock: a failed tag's next attempt comes when the test moves it. */
  final SimulatedTime clock = new SimulatedTime(java.time.Instant.parse("2026-12-01T00:00:00Z"));

  Map<String, RowOutcome> sync() {
    return controller().sync(Controller.ALL, false).stream().collect(Collectors.toMap(RowOutcome::key, o -> o));
  }

  @Test
  void aRepositoryClaimThatLapsedWithoutAJobIsTakenOverAndGetsItsJob() {
    String key = src + "/tool#lapsed";
    put(key, dst + "/lapsed", Map.of("Tags", AttributeValue.fromS("1.1.0")));
    sync();
    assertThat(batch.submitted()).hasSize(1);
    // As if the controller died before SubmitJob: a claim, no job id, and no job in Batch.
    ddb.updateItem(b -> b.tableName(table.name()).key(Map.of("Source", AttributeValue.fromS(key)))
        .updateExpression("REMOVE JobId"));
    batch.clear();

    assertThat(sync().get(key).action()).as("within the lease: still its holder's").isEqualTo(RowOutcome.Action.JOB_ACTIVE);
    assertThat(batch.submitted()).isEmpty();
    clock.advance(Duration.ofMinutes(16));
    assertThat(sync().get(key).action()).isEqualTo(RowOutcome.Action.SUBMITTED);
    assertThat(batch.submitted()).singleElement()
        .satisfies(j -> assertThat(j.parameters().get("pin")).isEqualTo("1.1.0@" + two.digest()));
    assertThat(row(key).get("JobId").s()).isEqualTo(batch.submitted().get(0).jobId());
  }

  @Test
  void onlyDriftedTagsArePinnedInOneJobAndTheirStateFollowsTheJob() {
    String key = src + "/tool";
    put(key, dst + "/tool", Map.of("Tags", AttributeValue.fromS("1.0.0,1.1.0,latest")));

    RowOutcome first = sync().get(key);

    assertThat(first.action()).isEqualTo(RowOutcome.Action.SUBMITTED);
    assertThat(first.why().get(dst + "/tool")).contains("2 tag(s) missing", "1.1.0", "latest");
    BatchStub.Submitted job = batch.submitted().get(0);
    assertThat(batch.submitted()).hasSize(1);
    assertThat(job.parameters()).containsEntry("source", key).containsEntry("dest", dst + "/tool");
    assertThat(Pin.parseList(job.parameters().get("pin"))).containsExactlyInAnyOrder(
        new Pin("1.1.0", two.digest()), new Pin("latest", two.digest()));
    assertThat(job.jobName()).matches("mirror-[0-9a-f]{8}-tool-tags");
    Map<String, AttributeValue> item = row(key);
    assertThat(item.get("MirrorStatus").s()).isEqualTo("submitted");
    assertThat(item.get("JobId").s()).isEqualTo(job.jobId());
    assertThat(item.get("TagsSelected").n()).isEqualTo("3");
    assertThat(item.get("TagsInSync").n()).isEqualTo("1");
    assertThat(item.get("TagsDrifted").n()).isEqualTo("2");
    Map<String, Map<String, AttributeValue>> states = tagItems(key);
    assertThat(states).containsOnlyKeys("1.0.0", "1.1.0", "latest");
    assertThat(states.get("1.0.0").get("MirrorStatus").s()).isEqualTo("in sync");
    assertThat(states.get("1.0.0").get("DestinationDigests").m().get(dst + "/tool").s()).isEqualTo(one.digest().toString());
    assertThat(states.get("latest").get("MirrorStatus").s()).isEqualTo("submitted");
    assertThat(states.get("latest").get("JobId").s()).isEqualTo(job.jobId());
    assertThat(states.get("latest").get("SourceDigest").s()).isEqualTo(two.digest().toString());

    // Running: nothing new. Failed: the row and the job's tags fail with its reason.
    batch.setState(job.jobId(), "RUNNING", null);
    assertThat(sync().get(key).action()).isEqualTo(RowOutcome.Action.JOB_ACTIVE);
    batch.setState(job.jobId(), "FAILED", "Essential container in task exited");
    RowOutcome failed = sync().get(key);
    // No exit code to say otherwise: a transient failure, each tag retried after its backoff.
    assertThat(failed.action()).isEqualTo(RowOutcome.Action.RETRYING);
    assertThat(row(key).get("MirrorStatus").s()).isEqualTo("retrying");
    assertThat(row(key).get("TagsFailed").n()).isEqualTo("2");
    assertThat(row(key).get("FailedTags").m()).containsOnlyKeys("1.1.0", "latest");
    assertThat(row(key).get("FailedTags").m().get("latest").s()).contains("Essential container in task exited");
    assertThat(tagItems(key).get("1.1.0").get("MirrorStatus").s()).isEqualTo("retrying");
    assertThat(batch.submitted()).hasSize(1);
    sync();
    assertThat(batch.submitted()).as("not before the tags' next attempt").hasSize(1);

    // Once the backoff passed, a run retries with a new job; this one copies the tags and succeeds.
    clock.advance(Duration.ofMinutes(6));
    sync();
    assertThat(batch.submitted()).hasSize(2);
    BatchStub.Submitted retry = batch.submitted().get(1);
    TestImages copy = new TestImages(registries.get(1).baseUri(), 8);
    TestImages.Pushed copied = copy.image("tool", "linux", "amd64", "", false, 1, 256);
    assertThat(copied.digest()).isEqualTo(two.digest());
    copy.tag("tool", "1.1.0", copied);
    copy.tag("tool", "latest", copied);
    batch.setState(retry.jobId(), "SUCCEEDED", null);
    assertThat(sync().get(key).action()).isEqualTo(RowOutcome.Action.MIRRORED);
    assertThat(row(key).get("MirrorStatus").s()).isEqualTo("mirrored");
    assertThat(row(key).get("TagsInSync").n()).isEqualTo("3");
    assertThat(row(key)).doesNotContainKeys("FailedTags", "LastError");
    Map<String, Map<String, AttributeValue>> mirrored = tagItems(key);
    assertThat(mirrored.get("latest").get("MirrorStatus").s()).isEqualTo("mirrored");

    // In sync: the run writes the row's check time and no tag item.
    RowOutcome quiet = sync().get(key);
    assertThat(quiet.action()).isEqualTo(RowOutcome.Action.IN_SYNC);
    assertThat(quiet.detail()).contains("3 tags: 3 in sync, 0 drifted, 0 failed");
    assertThat(tagItems(key)).isEqualTo(mirrored);
    assertThat(batch.submitted()).hasSize(2);
  }

  @Test
  void aRowSplitIntoSeveralJobsIsDoneOnlyWhenAllAre() {
    String key = src + "/tool#split";
    put(key, dst + "/split", Map.of("Tags", AttributeValue.fromS("1.1.0,latest"),
        "MirrorStatus", AttributeValue.fromS("submitted"), "JobId", AttributeValue.fromS("job-a,job-b"),
        "ClaimToken", AttributeValue.fromS("token")));
    tags.write(key, List.of(
        stateOf("1.1.0", "job-a"), stateOf("latest", "job-b")), List.of());
    batch.setState("job-a", "SUCCEEDED", null);
    batch.setState("job-b", "RUNNING", null);
    assertThat(sync().get(key).action()).isEqualTo(RowOutcome.Action.JOB_ACTIVE);
    assertThat(row(key).get("MirrorStatus").s()).isEqualTo("submitted");

    batch.setState("job-b", "FAILED", "out of memory");
    RowOutcome failed = sync().get(key);
    assertThat(failed.action()).isEqualTo(RowOutcome.Action.RETRYING);
    assertThat(failed.detail()).hasValueSatisfying(d -> assertThat(d).contains("job-b", "out of memory").doesNotContain("job-a"));
    assertThat(tagItems(key).get("latest").get("MirrorStatus").s()).isEqualTo("retrying");
    assertThat(tagItems(key).get("latest").get("Attempts").n()).isEqualTo("1");
    assertThat(tagItems(key).get("1.1.0").get("MirrorStatus").s()).isEqualTo("submitted");
    assertThat(row(key).get("FailedTags").m()).containsOnlyKeys("latest");
    assertThat(batch.submitted()).isEmpty();
  }

  static dev.ecrmirror.controller.table.TagState stateOf(String tag, String job) {
    return new dev.ecrmirror.controller.table.TagState(tag, dev.ecrmirror.controller.table.RowStatus.SUBMITTED,
        Optional.of(two.digest().toString()), Map.of(), Optional.empty(), Optional.of(job), Optional.empty(), Map.of(),
        Optional.empty(), Optional.empty());
  }

  @Test
  void anUnlistableSourceFailsItsRowAloneAndEcrDestinationsAreAskedInOneBatch() {
    put("127.0.0.1:1/gone", dst + "/gone", Map.of("Tags", AttributeValue.fromS("1.0.0")));
    put(src + "/tool#ecr", ECR + "/mirror/tool", Map.of("Tags", AttributeValue.fromS("1.0.0,1.1.0,latest,nightly")));
    ecr.put("mirror/tool", "1.0.0", one.digest().toString());
    ecr.put("mirror/tool", "1.1.0", two.digest().toString());

    Map<String, RowOutcome> outcomes = sync();

    assertThat(outcomes.get("127.0.0.1:1/gone").action()).as("an unreachable source may come back").isEqualTo(RowOutcome.Action.RETRYING);
    assertThat(row("127.0.0.1:1/gone").get("LastError").s()).contains("127.0.0.1:1").doesNotContain("\n");
    assertThat(outcomes.get(src + "/tool#ecr").action()).isEqualTo(RowOutcome.Action.SUBMITTED);
    assertThat(ecr.calls()).filteredOn(c -> c.repository().equals("mirror/tool")).extracting(EcrStub.Call::imageIds)
        .containsExactly(4);
    assertThat(batch.submitted()).singleElement().satisfies(s -> {
      assertThat(s.parameters()).containsEntry("source", src + "/tool").containsEntry("dest", ECR + "/mirror/tool");
      assertThat(Pin.parseList(s.parameters().get("pin"))).extracting(Pin::tag).containsExactlyInAnyOrder("latest", "nightly");
      assertThat(s.jobName()).matches("mirror-[0-9a-f]{8}-tool-ecr-tags");
    });
  }
}
