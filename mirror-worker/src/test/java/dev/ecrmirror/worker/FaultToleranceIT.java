package dev.ecrmirror.worker;

import static dev.ecrmirror.worker.FaultProxy.blobGet;
import static dev.ecrmirror.worker.FaultProxy.blobPut;
import static dev.ecrmirror.worker.FaultProxy.manifestHead;
import static dev.ecrmirror.worker.FaultProxy.manifestPut;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.LocalRegistry;
import dev.ecrmirror.common.testing.RegistryContents;
import dev.ecrmirror.common.testing.StubHttpServer;
import dev.ecrmirror.common.testing.StubHttpServer.Response;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.common.testing.TestImages.Pushed;
import dev.ecrmirror.worker.FaultProxy.Fault;
import dev.ecrmirror.worker.MirrorWorkerIT.Run;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker under network faults injected between it and the registries: every passing fault
 * ends with each destination at the source digest; a lasting one ends with a clear error, a
 * non-zero exit, and no destination tag pointing at an incomplete image.
 */
class FaultToleranceIT {
  private static final AtomicInteger REPO = new AtomicInteger();

  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(3);

  private FaultProxy proxy;

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
  }

  private static LocalRegistry src() {
    return registries.get(0);
  }

  /** A fresh two-platform image in the source, about 4 × 150 kB of layers. */
  private static String freshImage() {
    String repo = "fault/app" + REPO.incrementAndGet();
    new TestImages(src().baseUri(), REPO.get()).ociIndex(repo, "1", List.of("linux/amd64", "linux/arm64"), 2, 150_000);
    return repo;
  }

  private static Pushed top(String repo) {
    var served = RegistryContents.manifest(src().baseUri(), repo, "1").orElseThrow();
    return new Pushed(served.digest(), served.bytes().length, served.mediaType());
  }

  private static void assertMirrored(String repo, LocalRegistry dest) {
    var served = RegistryContents.manifest(dest.baseUri(), repo, "1");
    assertThat(served).as("tag at %s", dest.host()).isPresent();
    assertThat(served.get().digest()).isEqualTo(top(repo).digest());
    assertThat(RegistryContents.differences(src().baseUri(), repo, dest.baseUri(), repo, "1")).isEmpty();
  }

  private Run copyThroughSourceProxy(String repo, String... extra) {
    String[] args = new String[extra.length + 4];
    System.arraycopy(extra, 0, args, 0, extra.length);
    args[extra.length] = "--retry-times";
    args[extra.length + 1] = "4";
    args[extra.length + 2] = proxy.host() + "/" + repo + ":1";
    args[extra.length + 3] = registries.get(1).host() + "/" + repo + ":1," + registries.get(2).host() + "/" + repo + ":1";
    return MirrorWorkerIT.run(args);
  }

  @Test
  void serverErrorsOnBlobDownloadsAreRetried() throws Exception {
    String repo = freshImage();
    proxy = FaultProxy.start(src().baseUri()).inject(blobGet(), Fault.STATUS_500, 2).inject(blobGet(), Fault.STATUS_503, 1);

    Run run = copyThroughSourceProxy(repo);

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertMirrored(repo, registries.get(1));
    assertMirrored(repo, registries.get(2));
    assertThat(proxy.seen(s -> s.fault() != null)).hasSize(3);
  }

  @Test
  void tooManyRequestsWaitsForRetryAfter() throws Exception {
    String repo = freshImage();
    proxy = FaultProxy.start(src().baseUri()).inject(s -> s.method().equals("HEAD"), Fault.TOO_MANY_REQUESTS, 1);

    long started = System.nanoTime();
    Run run = copyThroughSourceProxy(repo);

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertThat((System.nanoTime() - started) / 1_000_000).as("waited Retry-After: 1").isGreaterThanOrEqualTo(1000);
    assertMirrored(repo, registries.get(1));
  }

  @Test
  void connectionResetMidBlobResumesWithARangeRequest() throws Exception {
    String repo = freshImage();
    proxy = FaultProxy.start(src().baseUri()).inject(blobGet(), Fault.RESET_MID_BODY, 2);

    Run run = copyThroughSourceProxy(repo);

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertMirrored(repo, registries.get(1));
    assertMirrored(repo, registries.get(2));
    assertThat(proxy.seen(s -> s.headers().containsKey("range"))).as("resumed with Range").hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void aDownloadThatStallsIsDroppedAndResumed() throws Exception {
    String repo = freshImage();
    proxy = FaultProxy.start(src().baseUri()).inject(blobGet(), Fault.STALL_MID_BODY, 1);

    long started = System.nanoTime();
    Run run = copyThroughSourceProxy(repo, "--read-timeout", "1");

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertThat((System.nanoTime() - started) / 1_000_000_000).as("seconds, far below the stall").isLessThan(30);
    assertMirrored(repo, registries.get(1));
    assertMirrored(repo, registries.get(2));
    assertThat(proxy.seen(s -> s.headers().containsKey("range"))).as("resumed with Range").isNotEmpty();
  }

  @Test
  void truncatedBlobBodyIsResumedAndVerified() throws Exception {
    String repo = freshImage();
    proxy = FaultProxy.start(src().baseUri()).inject(blobGet(), Fault.TRUNCATE_MID_BODY, 3);

    Run run = copyThroughSourceProxy(repo);

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertMirrored(repo, registries.get(1));
    assertMirrored(repo, registries.get(2));
  }

  @Test
  void blobRedirectsToAnotherHostAreFollowedWithoutTheAuthorizationHeader(@TempDir Path dir) throws Exception {
    String repo = freshImage();
    HttpClient http = HttpClient.newHttpClient();
    AtomicInteger served = new AtomicInteger();
    // Like S3 behind ECR: serves the blob, but refuses any request carrying an Authorization header.
    try (StubHttpServer storage = StubHttpServer.start(request -> {
      if (request.header("Authorization") != null) {
        return Response.of(400, "application/xml", "<Error>Only one auth mechanism allowed</Error>");
      }
      served.incrementAndGet();
      HttpResponse<byte[]> blob = http.send(HttpRequest.newBuilder(src().baseUri().resolve(request.uri().getPath())).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      return new Response(blob.statusCode(), Map.of(), blob.body());
    })) {
      proxy = FaultProxy.start(src().baseUri()).requireLogin("mirror", "pa55word").redirectTo(storage.uri().toString())
          .inject(blobGet(), Fault.REDIRECT, 1000);
      Path auth = dir.resolve("config.json");
      Files.writeString(auth, "{\"auths\":{\"" + proxy.host() + "\":{\"auth\":\""
          + Base64.getEncoder().encodeToString("mirror:pa55word".getBytes(StandardCharsets.UTF_8)) + "\"}}}");

      Run run = copyThroughSourceProxy(repo, "--auth-file", auth.toString());

      assertThat(run.exit()).as(run.out() + run.err()).isZero();
      assertMirrored(repo, registries.get(1));
      assertThat(served.get()).as("blobs served by the redirect target").isPositive();
      assertThat(storage.requests()).allSatisfy(r -> assertThat(r.header("Authorization")).isNull());
      assertThat(run.out() + run.err()).doesNotContain("pa55word");
    }
  }

  @Test
  void failedUploadsAndManifestPushesAreRetried() throws Exception {
    String repo = freshImage();
    proxy = FaultProxy.start(registries.get(1).baseUri()).inject(blobPut(), Fault.STATUS_500, 2)
        .inject(manifestPut(), Fault.STATUS_503, 1);

    Run run = MirrorWorkerIT.run("--retry-times", "4", src().host() + "/" + repo + ":1", proxy.host() + "/" + repo + ":1");

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertMirrored(repo, registries.get(1));
  }

  @Test
  void registryRefusingSinglePutUploadsGetsChunkedUploads() throws Exception {
    String repo = freshImage();
    // Refuse every PUT that carries a body: only PATCH-then-PUT gets blobs in.
    proxy = FaultProxy.start(registries.get(1).baseUri())
        .inject(s -> blobPut().test(s) && !"0".equals(s.headers().getOrDefault("content-length", "0")), Fault.STATUS_405, Integer.MAX_VALUE);

    Run run = MirrorWorkerIT.run(src().host() + "/" + repo + ":1", proxy.host() + "/" + repo + ":1");

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertMirrored(repo, registries.get(1));
    assertThat(proxy.seen(s -> s.method().equals("PATCH"))).isNotEmpty();
  }

  @Test
  void lastingFaultFailsThatDestinationAloneAndLeavesNoTag() throws Exception {
    String repo = freshImage();
    proxy = FaultProxy.start(registries.get(1).baseUri()).inject(blobPut(), Fault.STATUS_500, Integer.MAX_VALUE);

    Run run = MirrorWorkerIT.run("--retry-times", "1", src().host() + "/" + repo + ":1",
        proxy.host() + "/" + repo + ":1", registries.get(2).host() + "/" + repo + ":1");

    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.out()).containsPattern("failed +" + proxy.host().replace(".", "\\.") + "/" + repo + ":1: upload blob [0-9a-f]{12} .*HTTP 500");
    assertThat(run.out() + run.err()).doesNotContain("\tat ");
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), repo, "1")).as("no tag on the failed destination").isEmpty();
    assertThat(proxy.seen(manifestPut())).as("no manifest pushed to the failed destination").isEmpty();
    assertMirrored(repo, registries.get(2));
  }

  @Test
  void theDestinationsAreAskedWhileTheSourceIsStillAnswering() throws Exception {
    String repo = freshImage();
    assertThat(MirrorWorkerIT.run(src().host() + "/" + repo + ":1", registries.get(1).host() + "/" + repo + ":1").exit())
        .as("the first copy").isZero();
    proxy = FaultProxy.start(src().baseUri()).inject(manifestHead(), Fault.ANSWER_AFTER_1S, 1);
    try (FaultProxy destination = FaultProxy.start(registries.get(1).baseUri())) {
      Run run = MirrorWorkerIT.run(proxy.host() + "/" + repo + ":1", destination.host() + "/" + repo + ":1");

      assertThat(run.exit()).as(run.out() + run.err()).isZero();
      assertThat(run.out()).contains("in sync");
      long sourceAsked = proxy.seen(manifestHead()).get(0).atNanos();
      long destinationAsked = destination.seen(manifestHead()).get(0).atNanos();
      assertThat(Duration.ofNanos(destinationAsked - sourceAsked)).as("the destination was asked before the source answered")
          .isLessThan(Duration.ofMillis(900));
    }
  }

  /** A source that serves the real manifests but garbage of the right length for every blob. */
  private StubHttpServer liarSource() throws Exception {
    return StubHttpServer.start(request -> {
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest.Builder b = HttpRequest.newBuilder(src().baseUri().resolve(request.uri().toString()))
          .method(request.method(), HttpRequest.BodyPublishers.noBody());
      if (request.header("Accept") != null) {
        b.header("Accept", request.header("Accept"));
      }
      HttpResponse<byte[]> real = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      Map<String, String> headers = new java.util.HashMap<>();
      real.headers().firstValue("Content-Type").ifPresent(v -> headers.put("Content-Type", v));
      real.headers().firstValue("Docker-Content-Digest").ifPresent(v -> headers.put("Docker-Content-Digest", v));
      byte[] body = real.body();
      if (request.uri().getPath().contains("/blobs/") && body.length > 0) {
        body = body.clone();
        body[body.length / 2] ^= 0x5a;
      }
      return new Response(real.statusCode(), headers, body);
    });
  }

  @Test
  void corruptSourceBlobIsNeverPushed() throws Exception {
    String repo = freshImage();
    try (StubHttpServer liar = liarSource()) {
      Run run = MirrorWorkerIT.run("--retry-times", "1", liar.host() + "/" + repo + ":1", registries.get(1).host() + "/" + repo + ":1");

      assertThat(run.exit()).isEqualTo(1);
      assertThat(run.out()).contains("does not match its digest");
      assertThat(RegistryContents.manifest(registries.get(1).baseUri(), repo, "1")).isEmpty();
    }
  }

  @Test
  void aCorruptBlobNeverReachesEvenARegistryThatTrustsTheDigestItIsGiven() throws Exception {
    String repo = freshImage();
    // A destination that stores whatever it is sent: only the worker's own check stands between
    // the corrupt bytes and a committed blob. It records only requests whose body arrived whole.
    try (StubHttpServer liar = liarSource();
        StubHttpServer trusting = StubHttpServer.start(request -> {
          String path = request.uri().getPath();
          if (request.method().equals("HEAD")) {
            return new Response(404, Map.of(), new byte[0]);
          }
          if (request.method().equals("POST") && path.endsWith("/blobs/uploads/")) {
            return new Response(202, Map.of("Location", path + "session"), new byte[0]);
          }
          return new Response(201, Map.of(), new byte[0]);
        })) {
      Run run = MirrorWorkerIT.run("--retry-times", "1", liar.host() + "/" + repo + ":1", trusting.host() + "/" + repo + ":1");

      assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(1);
      assertThat(run.out()).contains("does not match its digest");
      assertThat(trusting.requests()).as("blob uploads whose whole body arrived")
          .noneMatch(r -> r.method().equals("PUT") && r.uri().getPath().contains("/blobs/uploads/") && r.body().length > 0);
      assertThat(trusting.requests()).as("manifest pushes").noneMatch(r -> r.uri().getPath().contains("/manifests/")
          && r.method().equals("PUT"));
    }
  }

  @Test
  void workerKilledMidCopyLeavesNoTagAndTheNextRunCompletes() throws Exception {
    String repo = freshImage();
    // A slow source keeps the copy in flight long enough to kill it halfway.
    proxy = FaultProxy.start(src().baseUri()).inject(blobGet(), Fault.SLOW_BODY, Integer.MAX_VALUE);
    Path jar = Path.of(System.getProperty("worker.jar", "target/mirror-worker.jar"));
    assertThat(jar).as("the packaged worker jar").exists();
    String java = ProcessHandle.current().info().command().orElse("java");
    String dest = registries.get(1).host() + "/" + repo + ":1";
    Process worker = new ProcessBuilder(java, "-jar", jar.toString(), proxy.host() + "/" + repo + ":1", dest)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (proxy.seen(blobGet()).size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(worker.isAlive()).as("still copying when killed").isTrue();
      worker.destroyForcibly().waitFor();
    } finally {
      worker.destroyForcibly();
    }
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), repo, "1")).as("no tag after the kill").isEmpty();

    proxy.close();
    Run again = MirrorWorkerIT.run(src().host() + "/" + repo + ":1", dest);

    assertThat(again.exit()).as(again.out() + again.err()).isZero();
    assertMirrored(repo, registries.get(1));
  }
}
