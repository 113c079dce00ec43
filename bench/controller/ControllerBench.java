import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryOptions;
import dev.ecrmirror.controller.Controller;
import dev.ecrmirror.controller.RowOutcome;
import dev.ecrmirror.controller.aws.AwsClients;
import dev.ecrmirror.controller.drift.DigestResolver;
import dev.ecrmirror.controller.drift.DriftChecker;
import dev.ecrmirror.controller.jobs.JobOutcome;
import dev.ecrmirror.controller.jobs.JobRunner;
import dev.ecrmirror.controller.jobs.JobStatus;
import dev.ecrmirror.controller.jobs.MirrorJob;
import dev.ecrmirror.controller.local.LocalMode;
import dev.ecrmirror.controller.table.MirrorTable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;

/**
 * Benchmark: a 2,000-row mirror table on local registries, checked by the controller (parallel
 * scan, HEAD per distinct reference, bounded concurrency) against the original approach (one
 * {@code skopeo inspect} per source and per destination, in sequence). Registry requests are
 * counted from the registries' access logs. Prints a markdown table.
 *
 * <p>Run with {@code bash bench/controller/run.sh [ROWS] [SKOPEO_SAMPLE]}.
 */
public final class ControllerBench {
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static final String MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int sample = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int images = 50;
    Path work = Files.createTempDirectory("controller-bench");
    List<Registry> started = new ArrayList<>();
    try {
      Registry src = Registry.start(work.resolve("src"));
      started.add(src);
      Registry dst = Registry.start(work.resolve("dst"));
      started.add(dst);

      // Seed: 50 distinct images, each tagged into many source tags; destinations hold the
      // same manifests except 1 in 20 rows missing and 1 in 20 at another image.
      System.err.printf("seeding %d rows over %d images...%n", rows, images);
      List<byte[]> manifests = new ArrayList<>();
      Random random = new Random(42);
      for (int i = 0; i < images; i++) {
        manifests.add(pushImage(src, "app", random));
      }
      for (String repo : List.of("mirror-a", "mirror-b")) {
        Random same = new Random(42);
        for (int i = 0; i < images; i++) {
          pushImage(dst, repo, same);
        }
      }
      List<String[]> table = new ArrayList<>();
      int destinations = 0;
      int expectedDrift = 0;
      try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
        List<Future<?>> puts = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
          int row = i;
          byte[] manifest = manifests.get(i % images);
          String tag = "t" + i;
          List<String> dests = new ArrayList<>(List.of(dst.host() + "/mirror-a:" + tag));
          if (i % 4 == 0) {
            dests.add(dst.host() + "/mirror-b:" + tag);
          }
          destinations += dests.size();
          boolean missing = i % 20 == 0;
          boolean differs = i % 20 == 10;
          if (missing || differs) {
            expectedDrift++;
          }
          table.add(new String[] {src.host() + "/app:" + tag, String.join(",", dests)});
          puts.add(pool.submit(() -> {
            putManifest(src, "app", tag, manifest);
            if (!missing) {
              byte[] at = differs ? manifests.get((row + 1) % images) : manifest;
              putManifest(dst, "mirror-a", tag, at);
              if (row % 4 == 0) {
                putManifest(dst, "mirror-b", tag, at);
              }
            }
            return null;
          }));
        }
        for (Future<?> f : puts) {
          f.get();
        }
      }

      Path data = work.resolve("ddb");
      try (LocalMode db = LocalMode.open(data, "ControllerBench", Duration.ZERO, note -> { });
          AwsClients clients = AwsClients.local(Optional.empty(), AnonymousCredentialsProvider.create(),
              AwsClients.Endpoints.none(), db.dynamo())) {
        MirrorTable mirror = new MirrorTable(clients.dynamo(), "bench");
        mirror.createIfMissing();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
          List<Future<?>> puts = new ArrayList<>();
          for (String[] r : table) {
            puts.add(pool.submit(() -> {
              mirror.putDefinition(r[0], List.of(r[1].split(",")), List.of(), Optional.empty());
              return null;
            }));
          }
          for (Future<?> f : puts) {
            f.get();
          }
        }
        RegistryClient registry = new RegistryClient(RegistryOptions.defaults().withRetryTimes(1));
        AtomicInteger submitted = new AtomicInteger();
        JobRunner recording = new JobRunner() {
          @Override
          public JobOutcome run(MirrorJob job) {
            return new JobOutcome.Submitted("bench-" + submitted.incrementAndGet());
          }

          @Override
          public Map<String, JobStatus> describe(Collection<String> jobIds) {
            Map<String, JobStatus> out = new HashMap<>();
            jobIds.forEach(id -> out.put(id, new JobStatus(JobStatus.State.ACTIVE, Optional.empty(), Optional.empty())));
            return out;
          }
        };
        Controller controller = new Controller(mirror, new DriftChecker(new DigestResolver(registry, Optional.empty(), 32)),
            recording, Clock.systemUTC(), 4, 8);

        // Warm the JVM and connections on a throwaway table, so the measurement is steady state.
        controller.sync(r -> r.key().endsWith(":t1"), true);

        Counts before = Counts.of(src, dst);
        long t0 = System.nanoTime();
        List<RowOutcome> plan = controller.sync(Controller.ALL, true);
        double dryRunSeconds = (System.nanoTime() - t0) / 1e9;
        Counts dry = Counts.of(src, dst).minus(before);
        long drifted = plan.stream().filter(o -> o.action() == RowOutcome.Action.WOULD_SUBMIT).count();

        before = Counts.of(src, dst);
        t0 = System.nanoTime();
        List<RowOutcome> synced = controller.sync(Controller.ALL, false);
        double syncSeconds = (System.nanoTime() - t0) / 1e9;
        Counts full = Counts.of(src, dst).minus(before);
        long failed = synced.stream().filter(o -> !o.ok()).count();

        // The original: skopeo inspect of the source, then of each destination, one after another.
        before = Counts.of(src, dst);
        t0 = System.nanoTime();
        int step = Math.max(1, rows / sample);
        int sampled = 0;
        int sampledDestinations = 0;
        for (int i = 0; i < rows && sampled < sample; i += step) {
          skopeoInspect(table.get(i)[0]);
          for (String d : table.get(i)[1].split(",")) {
            skopeoInspect(d);
            sampledDestinations++;
          }
          sampled++;
        }
        double skopeoSample = (System.nanoTime() - t0) / 1e9;
        Counts sk = Counts.of(src, dst).minus(before);
        double skopeoPerRow = skopeoSample / sampled;
        double skopeoFull = skopeoPerRow * rows;

        System.out.println();
        System.out.printf("%d rows (%d distinct sources, %d destinations, %d drifted; expected %d), %d images, 2 local docker-registry 2.8 processes, %d cores%n%n",
            rows, rows, destinations, drifted, expectedDrift, images, Runtime.getRuntime().availableProcessors());
        System.out.println("| approach | rows | wall time | time vs skopeo | registry requests | requests / row | manifest GETs | HEADs |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        System.out.printf("| controller `sync --dry-run` (scan + check) | %d | %.2f s | %.4f× | %d | %.2f | %d | %d |%n",
            rows, dryRunSeconds, dryRunSeconds / skopeoFull, dry.total, (double) dry.total / rows, dry.manifestGets, dry.heads);
        System.out.printf("| controller `sync` (scan + check + status write-back + %d submissions) | %d | %.2f s | %.4f× | %d | %.2f | %d | %d |%n",
            submitted.get(), rows, syncSeconds, syncSeconds / skopeoFull, full.total, (double) full.total / rows, full.manifestGets, full.heads);
        System.out.printf("| `skopeo inspect` per source and destination, sequential (measured on %d rows) | %d | %.2f s | 1× | %d | %.2f | %d | %d |%n",
            sampled, sampled, skopeoSample, sk.total, (double) sk.total / sampled, sk.manifestGets, sk.heads);
        System.out.printf("| `skopeo inspect`, extrapolated to %d rows | %d | %.1f s | 1× | ~%d | %.2f | ~%d | ~%d |%n",
            rows, rows, skopeoFull, Math.round((double) sk.total / sampled * rows), (double) sk.total / sampled,
            Math.round((double) sk.manifestGets / sampled * rows), Math.round((double) sk.heads / sampled * rows));
        System.out.println();
        System.out.printf("Requests bound (1 per distinct source + 1 per destination): %d; controller dry run used %d; "
            + "rows failed in the full sync: %d; skopeo sample covered %d destinations.%n",
            rows + destinations, dry.total, failed, sampledDestinations);
      }
    } finally {
      started.forEach(Registry::close);
      try (Stream<Path> files = Files.walk(work)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  static void skopeoInspect(String ref) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("skopeo", "inspect", "--tls-verify=false", "docker://" + ref)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    p.waitFor(60, TimeUnit.SECONDS);
  }

  /** Pushes a small single-layer image (config + layer by digest) and returns its manifest bytes. */
  static byte[] pushImage(Registry r, String repo, Random random) throws Exception {
    byte[] layer = new byte[512];
    random.nextBytes(layer);
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"echo\",\"" + random.nextLong()
        + "\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + Digest.sha256(layer) + "\"]}}").getBytes(StandardCharsets.UTF_8);
    pushBlob(r, repo, layer);
    pushBlob(r, repo, config);
    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MANIFEST + "\",\"config\":{\"mediaType\":"
        + "\"application/vnd.docker.container.image.v1+json\",\"size\":" + config.length + ",\"digest\":\"" + Digest.sha256(config)
        + "\"},\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":" + layer.length
        + ",\"digest\":\"" + Digest.sha256(layer) + "\"}]}";
    byte[] bytes = manifest.getBytes(StandardCharsets.UTF_8);
    putManifest(r, repo, Digest.sha256(bytes).toString(), bytes);
    return bytes;
  }

  static void pushBlob(Registry r, String repo, byte[] content) throws Exception {
    HttpResponse<Void> open = HTTP.send(HttpRequest.newBuilder(r.base().resolve("/v2/" + repo + "/blobs/uploads/"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    URI location = r.base().resolve(open.headers().firstValue("Location").orElseThrow());
    String sep = location.getRawQuery() == null ? "?" : "&";
    HttpResponse<Void> put = HTTP.send(HttpRequest.newBuilder(URI.create(location + sep + "digest=" + Digest.sha256(content)))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(content)).build(), HttpResponse.BodyHandlers.discarding());
    if (put.statusCode() != 201) {
      throw new IllegalStateException("blob upload: " + put.statusCode());
    }
  }

  static void putManifest(Registry r, String repo, String ref, byte[] bytes) throws Exception {
    HttpResponse<Void> put = HTTP.send(HttpRequest.newBuilder(r.base().resolve("/v2/" + repo + "/manifests/" + ref))
        .header("Content-Type", MANIFEST).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(),
        HttpResponse.BodyHandlers.discarding());
    if (put.statusCode() != 201) {
      throw new IllegalStateException("manifest put " + repo + ":" + ref + ": " + put.statusCode());
    }
  }

  /** Registry requests by kind, from the access logs. */
  record Counts(long total, long heads, long manifestGets) {
    static Counts of(Registry... registries) throws IOException {
      long total = 0;
      long heads = 0;
      long gets = 0;
      for (Registry r : registries) {
        for (String line : Files.readAllLines(r.log())) {
          int q = line.indexOf('"');
          if (q < 0 || !line.contains(" /v2/")) {
            continue;
          }
          String request = line.substring(q + 1);
          total++;
          if (request.startsWith("HEAD ")) {
            heads++;
          } else if (request.startsWith("GET ") && request.contains("/manifests/")) {
            gets++;
          }
        }
      }
      return new Counts(total, heads, gets);
    }

    Counts minus(Counts o) {
      return new Counts(total - o.total, heads - o.heads, manifestGets - o.manifestGets);
    }
  }

  /** A docker-registry process with its access log on. */
  record Registry(Process process, Path dir, int port) implements AutoCloseable {
    static Registry start(Path dir) throws Exception {
      Files.createDirectories(dir);
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      Files.writeString(dir.resolve("config.yml"), """
          version: 0.1
          log:
            level: error
            accesslog:
              disabled: false
          storage:
            filesystem:
              rootdirectory: %s
          http:
            addr: 127.0.0.1:%d
            secret: bench
          """.formatted(dir.resolve("data"), port));
      Process p = new ProcessBuilder("docker-registry", "serve", dir.resolve("config.yml").toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("access.log").toFile()).start();
      Registry r = new Registry(p, dir, port);
      for (int i = 0; i < 200; i++) {
        try {
          if (HTTP.send(HttpRequest.newBuilder(r.base().resolve("/v2/")).build(), HttpResponse.BodyHandlers.discarding())
              .statusCode() == 200) {
            return r;
          }
        } catch (IOException e) {
          // Not up yet.
        }
        Thread.sleep(50);
      }
      r.close();
      throw new IllegalStateException("docker-registry did not start");
    }

    String host() {
      return "127.0.0.1:" + port;
    }

    URI base() {
      return URI.create("http://" + host());
    }

    Path log() {
      return dir.resolve("access.log");
    }

    @Override
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
      }
    }
  }
}
