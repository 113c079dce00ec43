package dev.ecrmirror.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryOptions;
import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.RegistryContents;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.controller.drift.DigestResolver;
import dev.ecrmirror.controller.drift.DriftChecker;
import dev.ecrmirror.controller.jobs.JobOutcome;
import dev.ecrmirror.controller.jobs.JobRunner;
import dev.ecrmirror.controller.jobs.JobStatus;
import dev.ecrmirror.controller.jobs.LocalJobRunner;
import dev.ecrmirror.controller.jobs.MirrorJob;
import dev.ecrmirror.controller.table.MirrorTable;
import dev.ecrmirror.controller.testing.Cli;
import dev.ecrmirror.controller.testing.LocalDynamo;
import dev.ecrmirror.worker.MirrorEngines;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The control plane's promises in local mode, with real registries and in-process copies. */
class ControlPlaneLocalIT {
  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(2);

  @RegisterExtension
  static LocalDynamo dynamo = new LocalDynamo();

  @TempDir
  Path data;

  Cli.Run run(String... args) {
    return Cli.local(data, args);
  }

  @Test
  void aDeadDestinationDoesNotHoldBackAHealthyOneInLocalMode() {
    String src = registries.get(0).host();
    String dst = registries.get(1).host();
    TestImages.Pushed image = new TestImages(registries.get(0).baseUri(), 21).image("partial", "linux", "amd64", "", false, 2, 512);
    new TestImages(registries.get(0).baseUri(), 1).tag("partial", "1", image);
    assertThat(run("table", "put", src + "/partial:1", "127.0.0.1:1/dead/partial," + dst + "/partial").exitCode()).isZero();

    Cli.Run sync = run("sync");

    assertThat(sync.exitCode()).as("a destination failed: " + sync.out() + sync.err()).isEqualTo(1);
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), "partial", "1").orElseThrow().digest())
        .as("the healthy destination was copied in the same run").isEqualTo(image.digest());
    String row = run("table", "list", "--json").out();
    assertThat(row).contains("\"MirrorStatus\":\"retrying\"", "\"DestinationErrors\"", "127.0.0.1:1/dead/partial:1");
    assertThat(row).contains("\"" + dst + "/partial:1\":\"" + image.digest() + "\"");
  }

  @Test
  void aTagMovedBetweenCheckAndCopyIsNeverRecordedAsMirrored() {
    String src = registries.get(0).host();
    String dst = registries.get(1).host();
    TestImages seed = new TestImages(registries.get(0).baseUri(), 31);
    TestImages.Pushed checked = seed.image("moving", "linux", "amd64", "", false, 1, 512);
    TestImages.Pushed later = new TestImages(registries.get(0).baseUri(), 32).image("moving", "linux", "amd64", "", false, 1, 512);
    TestImages tags = new TestImages(registries.get(0).baseUri(), 1);
    tags.tag("moving", "1", checked);
    DynamoDbClient ddb = dynamo.clients(null, null, null).dynamo();
    MirrorTable table = dynamo.newTable(ddb);
    LocalDynamo.putItem(ddb, table, Map.of("Source", AttributeValue.fromS(src + "/moving:1"),
        "Destination", AttributeValue.fromS(dst + "/moving")));
    RegistryClient client = new RegistryClient(RegistryOptions.defaults().withRetryTimes(0));
    LocalJobRunner copy = new LocalJobRunner(MirrorEngines.build(client, MirrorEngines.Settings.defaults(2),
        region -> { throw new AssertionError("no ECR here"); }));
    // The source tag moves after the check, just before the copy starts.
    JobRunner moveThenCopy = new JobRunner() {
      @Override
      public JobOutcome run(MirrorJob job) {
        tags.tag("moving", "1", later);
        return copy.run(job);
      }

      @Override
      public Map<String, JobStatus> describe(Collection<String> jobIds) {
        return copy.describe(jobIds);
      }
    };
    Controller controller = new Controller(table, new DriftChecker(new DigestResolver(client, Optional.empty(), 4)),
        moveThenCopy, Clock.systemUTC(), 1, 1);

    assertThat(controller.sync(Controller.ALL, false)).extracting(RowOutcome::action).containsExactly(RowOutcome.Action.MIRRORED);

    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), "moving", "1").orElseThrow().digest())
        .as("the pinned digest was copied, not the tag's new one").isEqualTo(checked.digest());
    Map<String, AttributeValue> row = LocalDynamo.getItem(ddb, table, src + "/moving:1");
    assertThat(row.get("MirroredSourceDigest").s()).isEqualTo(checked.digest().toString());
    assertThat(row.toString()).doesNotContain(later.digest().toString());

    // The next run sees the move as drift, and copies the new digest.
    JobRunner plain = copy;
    new Controller(table, new DriftChecker(new DigestResolver(client, Optional.empty(), 4)), plain, Clock.systemUTC(), 1, 1)
        .sync(Controller.ALL, false);
    assertThat(LocalDynamo.getItem(ddb, table, src + "/moving:1").get("MirroredSourceDigest").s())
        .isEqualTo(later.digest().toString());
  }
}
