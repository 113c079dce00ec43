package dev.ecrmirror.common.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * A real {@code moto_server} process (moto's AWS emulator) on a random loopback port, for the AWS
 * APIs it serves (ECR's control plane, Batch, SQS, EventBridge, Secrets Manager, STS, ...);
 * {@link #close()} stops it. Point an SDK client at {@link #endpoint()} with any credentials.
 */
public final class MotoServer implements AutoCloseable {
  private static final String BINARY = System.getenv().getOrDefault("MOTO_SERVER_BIN", "moto_server");

  private final Process process;
  private final Path log;
  private final Path recording;
  private final int port;

  /** One request moto's recorder saw: its {@code X-Amz-Target} (JSON APIs) and its body. */
  public record Request(String target, String body) {}

  private MotoServer(Process process, Path log, Path recording, int port) {
    this.process = process;
    this.log = log;
    this.recording = recording;
    this.port = port;
  }

  /** True when {@code moto_server} can be started here (tests that need it are skipped otherwise only by choice). */
  public static boolean available() {
    try {
      Process p = new ProcessBuilder(BINARY, "--help").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Starts the server and waits until it answers. */
  public static MotoServer start() throws IOException, InterruptedException {
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = freePort();
      Path log = Files.createTempFile("moto-server", ".log");
      // The recorder (off until record()) writes here rather than into the working directory.
      Path recording = Files.createTempFile("moto-recording", ".jsonl");
      ProcessBuilder builder = new ProcessBuilder(BINARY, "-H", "127.0.0.1", "-p", Integer.toString(port))
          .redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().put("MOTO_RECORDER_FILEPATH", recording.toString());
      Process process = builder.start();
      MotoServer server = new MotoServer(process, log, recording, port);
      if (server.awaitReady()) {
        return server;
      }
      last = new IOException("moto_server did not come up on port " + port + ": " + Files.readString(log));
      server.close();
    }
    throw last;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private boolean awaitReady() throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline && process.isAlive()) {
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(endpoint().resolve("/moto-api/data.json")).build(),
            HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return true;
        }
      } catch (IOException e) {
        // Not listening yet.
      }
      Thread.sleep(100);
    }
    return false;
  }

  /** {@code http://127.0.0.1:PORT}: the endpoint override for every SDK client. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** An ECR API client in {@code region} on this server: test credentials, no retries (a failure shows at once). */
  public EcrClient ecr(Region region) {
    return EcrClient.builder().region(region).endpointOverride(endpoint())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "example-secret")))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .overrideConfiguration(c -> c.retryStrategy(DefaultRetryStrategy.doNotRetry()))
        .build();
  }

  /** Forgets every resource created so far ({@code POST /moto-api/reset}). */
  public void reset() throws IOException, InterruptedException {
    HttpClient.newHttpClient().send(HttpRequest.newBuilder(endpoint().resolve("/moto-api/reset"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
  }

  /**
   * Starts moto's request recorder afresh: {@link #recorded()} then returns every request sent
   * from now on, as moto received it.
   */
  public void record() throws IOException, InterruptedException {
    post("/moto-api/recorder/reset-recording");
    post("/moto-api/recorder/start-recording");
  }

  /** The requests recorded since {@link #record()}, in order. */
  public java.util.List<Request> recorded() throws IOException {
    java.util.List<Request> out = new java.util.ArrayList<>();
    for (String line : Files.readAllLines(recording)) {
      if (line.isBlank()) {
        continue;
      }
      var entry = dev.ecrmirror.common.Json.readTree(line);
      String body = entry.path("body").asText("");
      if (entry.path("body_encoded").asBoolean()) {
        body = new String(java.util.Base64.getDecoder().decode(body), java.nio.charset.StandardCharsets.UTF_8);
      }
      var headers = entry.path("headers");
      String target = null;
      for (var names = headers.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (name.equalsIgnoreCase("X-Amz-Target")) {
          target = headers.get(name).asText();
        }
      }
      out.add(new Request(target, body));
    }
    return out;
  }

  private void post(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(endpoint().resolve(path))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("moto_server refused " + path + " (" + r.statusCode() + "): " + r.body());
    }
  }

  /** Sets moto's own configuration, e.g. {@code {"batch": {"use_docker": false}}}. */
  public void configure(String json) throws IOException, InterruptedException {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(endpoint().resolve("/moto-api/config"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200 && r.statusCode() != 201) {
      throw new IOException("moto_server refused its configuration (" + r.statusCode() + "): " + r.body());
    }
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try {
      Files.deleteIfExists(log);
      Files.deleteIfExists(recording);
    } catch (IOException e) {
      // A temp file left behind is harmless.
    }
  }
}
