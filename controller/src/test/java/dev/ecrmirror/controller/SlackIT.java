package dev.ecrmirror.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.controller.testing.Cli;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sync --slack-webhook} in local mode against real registries. Slack is a loopback HTTP
 * server (the JDK's): nothing real serves Slack's incoming webhooks offline, so this one records
 * each post and answers 200, 500, or not at all, as a test tells it.
 */
class SlackIT {
  /** The part of a webhook URL that is its secret: it must never be printed. */
  private static final String SECRET = "XyZsEcReT0123456789";

  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(2);

  static String src;
  static String dst;

  @TempDir
  Path data;

  HttpServer slack;
  ExecutorService handlers;
  final List<String> posts = new CopyOnWriteArrayList<>();
  volatile int answer = 200;
  /** Counted down to let a hanging answer go, so the server can stop. */
  final CountDownLatch hang = new CountDownLatch(1);
  volatile boolean hanging;

  @BeforeAll
  static void images() {
    src = registries.get(0).host();
    dst = registries.get(1).host();
    new TestImages(registries.get(0).baseUri(), 3).image("app", "linux", "amd64", "", false, 1, 256);
    TestImages images = new TestImages(registries.get(0).baseUri(), 5);
    images.tag("app", "1", images.image("app", "linux", "amd64", "", false, 1, 256));
  }

  @BeforeEach
  void startSlack() throws IOException {
    slack = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    handlers = Executors.newCachedThreadPool();
    slack.setExecutor(handlers);
    slack.createContext("/", exchange -> {
      posts.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      if (hanging) {
        try {
          hang.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] body = (answer == 200 ? "ok" : "internal_error").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(answer, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    slack.start();
  }

  @AfterEach
  void stopSlack() {
    hang.countDown();
    slack.stop(0);
    handlers.shutdownNow();
  }

  String webhook() {
    return "http://127.0.0.1:" + slack.getAddress().getPort() + "/services/T0001/B0001/" + SECRET;
  }

  Cli.Run run(String... args) {
    return Cli.local(data, args);
  }

  Cli.Run sync(String... options) {
    List<String> all = new ArrayList<>(List.of("sync", "--slack-webhook", webhook()));
    all.addAll(List.of(options));
    Cli.Run r = run(all.toArray(String[]::new));
    assertThat(r.out() + r.err()).as("the webhook is a secret").doesNotContain(SECRET);
    return r;
  }

  /** The text of each message Slack was sent. */
  List<String> texts() throws IOException {
    List<String> out = new ArrayList<>();
    for (String p : posts) {
      out.add(new ObjectMapper().readTree(p).path("text").asText());
    }
    return out;
  }

  @Test
  void oneMessagePerRunWithTheFailuresAndTheCopies() throws Exception {
    assertThat(run("table", "put", src + "/app:1", dst + "/app:1").exitCode()).isZero();
    assertThat(run("table", "put", src + "/gone:1", dst + "/gone:1").exitCode()).isZero();

    Cli.Run first = sync("--slack-subject", "SlackIT");
    assertThat(first.exitCode()).as(first.out() + first.err()).isEqualTo(1);
    assertThat(texts()).as("one message for the run, not one per row").hasSize(1);
    String text = texts().getFirst();
    assertThat(text).startsWith("*ecr-mirror*\nSlackIT\n2 rows: 1 mirrored, 1 failing");
    assertThat(text).contains("*Failing (1)*\n• `" + src + "/gone:1` failed (new): ",
        "*Changed (1)*\n• `" + src + "/app:1` mirrored");

    posts.clear();
    Cli.Run second = sync();
    assertThat(second.exitCode()).isEqualTo(1);
    assertThat(texts()).as("still failing: still worth a message").hasSize(1);
    assertThat(texts().getFirst()).contains("`" + src + "/gone:1` failed: ").doesNotContain("(new)", "/app:1");
  }

  @Test
  void errorsOnlyAndEverythingSucceededPostsNothing() throws Exception {
    assertThat(run("table", "put", src + "/app:1", dst + "/ok:1").exitCode()).isZero();
    Cli.Run first = sync("--slack-errors-only", "--metrics", "emf");
    assertThat(first.exitCode()).as(first.out() + first.err()).isZero();
    assertThat(first.out()).contains("1 mirrored");
    assertThat(posts).isEmpty();
    // The run's metrics: one EMF line on stdout, among the report's lines.
    List<String> emf = first.out().lines().filter(l -> l.startsWith("{\"_aws\"")).toList();
    assertThat(emf).hasSize(1);
    var metrics = new ObjectMapper().readTree(emf.getFirst());
    assertThat(metrics.path("Mode").asText()).isEqualTo("sync");
    assertThat(metrics.path("RowsChecked").asLong()).isEqualTo(1);
    assertThat(metrics.path("RowsMirrored").asLong()).isEqualTo(1);
    assertThat(metrics.path("RowsFailed").asLong()).isZero();

    Cli.Run quiet = sync();
    assertThat(quiet.exitCode()).isZero();
    assertThat(quiet.out()).as("no EMF unless asked").doesNotContain("_aws");
    assertThat(posts).as("in sync and nothing changed: nothing to report").isEmpty();
  }

  @Test
  void slackAnswering500IsRetriedOnceThenOneWarningAndTheExitCodeStands() throws Exception {
    answer = 500;
    assertThat(run("table", "put", src + "/app:1", dst + "/five:1").exitCode()).isZero();
    Cli.Run r = sync();
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(posts).hasSize(2);
    assertThat(r.err().lines().filter(l -> l.startsWith("warning:")).toList()).containsExactly(
        "warning: Slack did not take the run's message (HTTP 500 internal_error, after one retry): check the webhook"
            + " (--slack-webhook or $ECR_MIRROR_SLACK_WEBHOOK); the sync's result stands");
  }

  @Test
  void aHangingSlackDoesNotStallTheRun() throws Exception {
    hanging = true;
    assertThat(run("table", "put", src + "/app:1", dst + "/hang:1").exitCode()).isZero();
    long start = System.nanoTime();
    Cli.Run r = sync("--slack-timeout", "2");
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("1 mirrored");
    assertThat(r.err()).contains("warning: Slack did not take the run's message (no answer within 2 s)");
    assertThat(posts).as("a timeout is not retried").hasSize(1);
    // The sync takes well under a second here: what is left is the 2 s timeout, once.
    assertThat(took).as("the sync, plus the timeout once").isLessThan(Duration.ofSeconds(8));
  }

  @Test
  void aWebhookThatIsNotAUrlIsOneWarningNotAFailedRun() {
    assertThat(run("table", "put", src + "/app:1", dst + "/bad:1").exitCode()).isZero();
    Cli.Run r = run("sync", "--slack-webhook", "hooks.slack.com/services/" + SECRET);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).contains("warning: the Slack webhook (--slack-webhook or $ECR_MIRROR_SLACK_WEBHOOK) is not an"
        + " https:// URL: no Slack message is sent").doesNotContain(SECRET);
  }
}
