package dev.ecrmirror.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecrmirror.common.testing.DockerHubStub;
import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.MotoEventQueue;
import dev.ecrmirror.common.testing.MotoServer;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.common.testing.TestImages.Pushed;
import dev.ecrmirror.worker.MirrorWorkerIT.Run;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The worker's EMF metrics line and its EventBridge event, against real docker-registry copies.
 * EventBridge is moto's: a rule on the default bus matching {@code source: ecr-mirror} delivers to
 * an SQS queue in moto, and the test reads what a user's rule would have received. The rate-limit
 * header comes from {@link DockerHubStub}, a stub because docker-registry sends none.
 */
class WorkerNoticesIT {
  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(2);

  static MotoServer moto;
  static MotoEventQueue events;
  static Pushed image;

  @BeforeAll
  static void start() throws Exception {
    moto = MotoServer.start();
    // The rule a user would write to route every ecr-mirror event, to a queue the test reads.
    events = MotoEventQueue.start(moto, "worker-events");
    // In-process runs build their client from the default chains: give them a region and test credentials.
    System.setProperty("aws.accessKeyId", "test");
    System.setProperty("aws.secretAccessKey", "test");
    System.setProperty("aws.region", "us-east-1");
    image = new TestImages(registries.get(0).baseUri(), 31).ociIndex("team/app", "1", List.of("linux/amd64"), 2, 20_000);
  }

  @AfterAll
  static void stop() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    System.clearProperty("aws.region");
    events.close();
    moto.close();
  }

  static String src() {
    return registries.get(0).host() + "/team/app:1";
  }

  static String dest(String repo) {
    return registries.get(1).host() + "/" + repo + ":1";
  }

  static JsonNode json(String text) {
    try {
      return new ObjectMapper().readTree(text);
    } catch (java.io.IOException e) {
      throw new AssertionError("not one JSON document: " + text, e);
    }
  }

  /** The EMF lines among {@code text}'s lines, parsed. */
  static List<JsonNode> emfLines(String text) {
    return text.lines().filter(l -> l.startsWith("{\"_aws\"")).map(WorkerNoticesIT::json).toList();
  }

  /** Every event delivered to the queue so far (and removes them). */
  static List<JsonNode> delivered() {
    return events.delivered();
  }


  @Test
  void withJsonTheMetricsLineGoesToStderrAndCountsWhatTheDocumentSays() {
    Run run = MirrorWorkerIT.run("--json", "--metrics", "emf", "--retry-times", "0", src(), dest("emf-json"),
        "127.0.0.1:1/emf-json:1");

    assertThat(run.exit()).isEqualTo(1);
    JsonNode document = json(run.out());
    assertThat(emfLines(run.out())).isEmpty();
    JsonNode emf = emfLines(run.err()).getFirst();
    assertThat(emfLines(run.err())).hasSize(1);
    long uploaded = document.at("/destinations/0/bytesUploaded").asLong();
    assertThat(uploaded).isGreaterThan(40_000);
    assertThat(emf.path("BytesCopied").asLong()).isEqualTo(uploaded);
    assertThat(emf.path("DestinationsCopied").asLong()).isEqualTo(1);
    assertThat(emf.path("DestinationsFailed").asLong()).isEqualTo(1);
    assertThat(emf.path("JobDuration").asDouble()).isPositive().isLessThan(60);
    assertThat(emf.path("Job").asText()).isEqualTo("worker");
    assertThat(emf.at("/_aws/CloudWatchMetrics/0/Namespace").asText()).isEqualTo("EcrMirror");
    assertThat(emf.has("RateLimitRemaining")).as("docker-registry sends no rate limit").isFalse();
  }

  @Test
  void withoutJsonTheMetricsLineEndsStdoutNoneIsPrintedUnlessAskedAndAnUnknownWordIsBadUsage() {
    assertThat(MirrorWorkerIT.run(src(), dest("emf-text")).exit()).isZero();

    Run again = MirrorWorkerIT.run("--metrics", "emf", src(), dest("emf-text"));
    Run quiet = MirrorWorkerIT.run("--metrics", "none", src(), dest("emf-text"));
    Run misspelt = MirrorWorkerIT.run("--metrics", "cloudwatch", src(), dest("emf-text"));

    assertThat(again.exit()).isZero();
    List<String> lines = again.out().lines().toList();
    JsonNode emf = json(lines.getLast());
    assertThat(emfLines(again.out())).hasSize(1);
    assertThat(emf.path("BytesCopied").asLong()).isZero();
    assertThat(emf.path("DestinationsCopied").asLong()).isZero();
    assertThat(emf.path("DestinationsFailed").asLong()).isZero();
    assertThat(emfLines(quiet.out() + quiet.err())).isEmpty();
    assertThat(misspelt.exit()).isEqualTo(2);
    assertThat(misspelt.err()).contains("--metrics (or $ECR_MIRROR_METRICS) must be emf or none, not 'cloudwatch'");
  }

  @Test
  void theSourceRegistrysLowestRateLimitRemainingIsAMetricByRegistry() throws Exception {
    try (DockerHubStub hub = DockerHubStub.start(100)) {
      Run run = MirrorWorkerIT.run("--metrics", "emf", "--no-referrers", hub.host() + "/library/tool:1",
          dest("limited"));

      assertThat(run.exit()).as(run.out() + run.err()).isZero();
      JsonNode emf = emfLines(run.out()).getFirst();
      assertThat(hub.pulls()).isPositive();
      assertThat(emf.path("Registry").asText()).isEqualTo(hub.host());
      assertThat(emf.path("RateLimitRemaining").asLong()).isEqualTo(hub.remaining()).isLessThan(100);
      assertThat(emf.at("/_aws/CloudWatchMetrics/1/Dimensions").toString()).isEqualTo("[[\"Job\",\"Registry\"]]");
    }
  }

  @Test
  void aJobConfiguredByItsEnvironmentPutsOneFailedEventNamingTheJobAndEachDestination() throws Exception {
    delivered();
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = List.of(javaBin, "-jar", System.getProperty("worker.jar"), "--retry-times", "0",
        "--eventbridge-endpoint-url", moto.endpoint().toString(), src(), dest("evt") + ",127.0.0.1:1/evt:1");
    ProcessBuilder builder = new ProcessBuilder(command);
    // What the CDK app's worker job definition sets, and what Batch adds.
    builder.environment().putAll(Map.of("ECR_MIRROR_EVENT_BUS", "default", "ECR_MIRROR_METRICS", "emf",
        "AWS_BATCH_JOB_ID", "job-0123", "AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "test",
        "AWS_SECRET_ACCESS_KEY", "test"));
    File out = File.createTempFile("worker", ".out");
    builder.redirectErrorStream(true).redirectOutput(out);
    Process p = builder.start();
    String text;
    try {
      assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("the worker finished").isTrue();
      text = java.nio.file.Files.readString(out.toPath(), StandardCharsets.UTF_8);
    } finally {
      p.destroyForcibly();
      out.delete();
    }

    assertThat(p.exitValue()).as(text).isEqualTo(1);
    assertThat(text).doesNotContain("warning");
    assertThat(emfLines(text)).hasSize(1);
    List<JsonNode> events = delivered();
    assertThat(events).hasSize(1);
    JsonNode event = events.getFirst();
    assertThat(event.path("source").asText()).isEqualTo("ecr-mirror");
    assertThat(event.path("detail-type").asText()).isEqualTo("Mirror Job Failed");
    JsonNode detail = event.path("detail");
    assertThat(detail.path("jobId").asText()).isEqualTo("job-0123");
    assertThat(detail.path("source").asText()).isEqualTo(src());
    assertThat(detail.path("exitCode").asInt()).isEqualTo(1);
    JsonNode copied = detail.at("/destinations/0");
    JsonNode dead = detail.at("/destinations/1");
    assertThat(copied.path("destination").asText()).isEqualTo(dest("evt"));
    assertThat(copied.path("outcome").asText()).isEqualTo("mirrored");
    assertThat(copied.path("digest").asText()).isEqualTo(image.digest().toString());
    assertThat(dead.path("outcome").asText()).isEqualTo("retrying");
    assertThat(dead.path("kind").asText()).isEqualTo("transient");
    assertThat(dead.path("error").asText()).contains("127.0.0.1:1");
  }

  @Test
  void aRunThatSucceedsPutsASucceededEventAndARefusedPutIsOneWarning() {
    delivered();
    Run ok = MirrorWorkerIT.run("--event-bus", "default", "--eventbridge-endpoint-url", moto.endpoint().toString(),
        src(), dest("evt-ok"));
    List<JsonNode> events = delivered();
    Run refused = MirrorWorkerIT.run("--event-bus", "no-such-bus", "--eventbridge-endpoint-url",
        moto.endpoint().toString(), src(), dest("evt-refused"));

    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.path("detail-type").asText()).isEqualTo("Mirror Job Succeeded");
      assertThat(e.at("/detail/destinations/0/outcome").asText()).isEqualTo("mirrored");
      assertThat(e.path("detail").has("jobId")).isFalse();
    });
    assertThat(refused.exit()).as("the copy's result stands").isZero();
    assertThat(refused.out()).contains("copied");
    assertThat(refused.err().lines().filter(l -> l.contains("warning")).toList()).singleElement().asString()
        .startsWith("mirror-worker: warning: the run's EventBridge event was not put (")
        .endsWith("): check events:PutEvents on the bus; the run's result stands");
    assertThat(delivered()).isEmpty();
  }
}
