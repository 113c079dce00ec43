package dev.ecrmirror.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.MotoEventQueue;
import dev.ecrmirror.common.testing.MotoServer;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.controller.testing.Cli;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sync --event-bus default} in local mode against real registries, with EventBridge served
 * by moto: a rule on the default bus matching {@code source: ecr-mirror} delivers to an SQS queue
 * in moto, and the test reads what a user's rule would have received.
 */
class MirrorEventsIT {
  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(2);

  static MotoServer moto;
  static MotoEventQueue events;
  static String src;
  static String dst;

  @TempDir
  Path data;

  @BeforeAll
  static void start() throws Exception {
    moto = MotoServer.start();
    // The rule a user would write to route every ecr-mirror event, to a queue the test reads.
    events = MotoEventQueue.start(moto, "mirror-events");
    // The CLI builds its own clients from the default chain: give it test credentials.
    System.setProperty("aws.accessKeyId", "test");
    System.setProperty("aws.secretAccessKey", "test");

    src = registries.get(0).host();
    dst = registries.get(1).host();
    TestImages images = new TestImages(registries.get(0).baseUri(), 9);
    images.tag("app", "1", images.image("app", "linux", "amd64", "", false, 1, 256));
  }

  @AfterAll
  static void stop() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    events.close();
    moto.close();
  }

  Cli.Run run(String... args) {
    return Cli.local(data, args);
  }

  Cli.Run sync(String bus) {
    return run("sync", "--event-bus", bus, "--eventbridge-endpoint-url", moto.endpoint().toString(),
        "--region", "us-east-1");
  }

  /** Every event delivered to the queue so far (and removes them). */
  List<JsonNode> delivered() throws Exception {
    return events.delivered();
  }


  @Test
  void oneEventPerChangedRowAndNoneWhenNothingChanged() throws Exception {
    delivered();
    // Twelve copies and a failure: thirteen events, more than one PutEvents call of 10 holds.
    for (int i = 0; i < 12; i++) {
      assertThat(run("table", "put", src + "/app:1#" + i, dst + "/app" + i + ":1").exitCode()).isZero();
    }
    assertThat(run("table", "put", src + "/gone:1", dst + "/gone:1," + dst + "/gone-too:1").exitCode()).isZero();

    Cli.Run first = sync("default");
    assertThat(first.exitCode()).as(first.out() + first.err()).isEqualTo(1);
    assertThat(first.err()).doesNotContain("warning:");
    List<JsonNode> events = delivered();
    Map<String, JsonNode> byRow = new TreeMap<>();
    events.forEach(e -> byRow.put(e.path("detail").path("source").asText(), e));
    assertThat(events).hasSize(13);
    assertThat(byRow).hasSize(13);

    JsonNode copied = byRow.get(src + "/app:1#3");
    assertThat(copied.path("source").asText()).isEqualTo("ecr-mirror");
    assertThat(copied.path("detail-type").asText()).isEqualTo("Mirror Succeeded");
    assertThat(copied.path("detail").path("status").asText()).isEqualTo("mirrored");
    assertThat(copied.path("detail").path("previousStatus").asText()).isEqualTo("new");
    assertThat(copied.path("detail").path("destinations").toString()).isEqualTo("[\"" + dst + "/app3:1\"]");
    assertThat(copied.path("detail").path("jobId").asText()).isNotBlank();
    assertThat(copied.path("detail").has("error")).isFalse();

    JsonNode gone = byRow.get(src + "/gone:1");
    assertThat(gone.path("detail-type").asText()).isEqualTo("Mirror Failed");
    assertThat(gone.path("detail").path("status").asText()).isEqualTo("failed");
    assertThat(gone.path("detail").path("table").asText()).isEqualTo("ecr-mirror");
    assertThat(gone.path("detail").path("destinations").toString())
        .isEqualTo("[\"" + dst + "/gone:1\",\"" + dst + "/gone-too:1\"]");
    assertThat(gone.path("detail").path("error").asText()).contains("gone");

    Cli.Run second = sync("default");
    assertThat(second.exitCode()).isEqualTo(1);
    assertThat(delivered()).as("a row failing again, rows staying in sync: no change, no event").isEmpty();
  }

  @Test
  void aBusThatRefusesTheEventsIsOneWarningAndTheExitCodeStands() throws Exception {
    delivered();
    assertThat(run("table", "put", src + "/app:1", dst + "/nobus:1").exitCode()).isZero();
    Cli.Run r = sync("no-such-bus");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("1 mirrored");
    assertThat(r.err().lines().filter(l -> l.startsWith("warning:")).toList()).singleElement().asString()
        .startsWith("warning: 1 of 1 EventBridge event(s) were not put (")
        .endsWith("): check events:PutEvents on the bus; the sync's result stands");
    assertThat(delivered()).isEmpty();
  }
}
