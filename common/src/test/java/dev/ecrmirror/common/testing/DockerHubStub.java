package dev.ecrmirror.common.testing;

import dev.ecrmirror.common.manifest.MediaTypes;
import dev.ecrmirror.common.ref.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Docker Hub-like registry with a pull rate limit. A stub because nothing real serves rate
 * limits (the docker-registry binary has none, and Docker Hub cannot be used from tests): it serves
 * one small image under every repository and tag, counts pulls (manifest GETs; HEADs are free, as on
 * Docker Hub), sends {@code ratelimit-limit} and {@code ratelimit-remaining} ({@code N;w=21600}) on
 * manifest answers, and answers 429 {@code TOOMANYREQUESTS} to a manifest GET once none is left.
 */
public final class DockerHubStub implements AutoCloseable {
  private static final String WINDOW = ";w=21600";

  private final int limit;
  private final AtomicInteger remaining;
  private final AtomicInteger pulls = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private final boolean sendsHeaders;
  private final Map<String, byte[]> blobs = new HashMap<>();
  private final byte[] manifest;
  private final Digest manifestDigest;
  private final StubHttpServer server;

  private DockerHubStub(int limit, boolean sendsHeaders) throws IOException {
    this.limit = limit;
    this.remaining = new AtomicInteger(limit);
    this.sendsHeaders = sendsHeaders;
    byte[] layer = "a small layer standing in for a tar.gz".getBytes(StandardCharsets.UTF_8);
    byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
        .getBytes(StandardCharsets.UTF_8);
    blobs.put(Digest.sha256(layer).toString(), layer);
    blobs.put(Digest.sha256(config).toString(), config);
    this.manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\","
        + "\"config\":{\"mediaType\":\"" + MediaTypes.DOCKER_CONFIG + "\",\"size\":" + config.length
        + ",\"digest\":\"" + Digest.sha256(config) + "\"},"
        + "\"layers\":[{\"mediaType\":\"" + MediaTypes.DOCKER_LAYER_GZIP + "\",\"size\":" + layer.length
        + ",\"digest\":\"" + Digest.sha256(layer) + "\"}]}").getBytes(StandardCharsets.UTF_8);
    this.manifestDigest = Digest.sha256(manifest);
    this.server = StubHttpServer.start(this::handle);
  }

  /** A registry allowing {@code limit} pulls per window, reporting what is left on every manifest answer. */
  public static DockerHubStub start(int limit) throws IOException {
    return new DockerHubStub(limit, true);
  }

  /** As {@link #start}, but without the rate-limit headers: the client learns the limit only from the 429. */
  public static DockerHubStub startWithoutHeaders(int limit) throws IOException {
    return new DockerHubStub(limit, false);
  }

  private StubHttpServer.Response handle(StubHttpServer.Request request) {
    String path = request.uri().getPath();
    if (path.equals("/v2/")) {
      return StubHttpServer.Response.of(200, "application/json", "{}");
    }
    int manifests = path.indexOf("/manifests/");
    if (manifests > 0) {
      if (request.method().equals("HEAD")) {
        return manifestAnswer(remaining.get());
      }
      // Check and spend in one step: parallel pulls must never take the count below zero.
      int left = remaining.getAndUpdate(n -> n > 0 ? n - 1 : 0);
      if (left <= 0) {
        refused.incrementAndGet();
        StubHttpServer.Response tooMany = StubHttpServer.Response.of(429, "application/json",
            "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"You have reached your pull rate limit.\"}]}");
        return sendsHeaders ? withLimit(tooMany, 0) : tooMany;
      }
      pulls.incrementAndGet();
      return manifestAnswer(left - 1);
    }
    int at = path.indexOf("/blobs/");
    if (at > 0 && (request.method().equals("GET") || request.method().equals("HEAD"))) {
      byte[] blob = blobs.get(path.substring(at + "/blobs/".length()));
      if (blob != null) {
        return new StubHttpServer.Response(200, Map.of("Content-Type", "application/octet-stream",
            "Docker-Content-Digest", Digest.sha256(blob).toString()), blob);
      }
    }
    return StubHttpServer.Response.of(404, "application/json",
        "{\"errors\":[{\"code\":\"NOT_FOUND\",\"message\":\"not served by this stub\"}]}");
  }

  private StubHttpServer.Response manifestAnswer(int left) {
    StubHttpServer.Response ok = new StubHttpServer.Response(200, Map.of("Content-Type", MediaTypes.DOCKER_MANIFEST,
        "Docker-Content-Digest", manifestDigest.toString()), manifest);
    return sendsHeaders ? withLimit(ok, left) : ok;
  }

  private StubHttpServer.Response withLimit(StubHttpServer.Response r, int left) {
    Map<String, String> headers = new HashMap<>(r.headers());
    headers.put("ratelimit-limit", limit + WINDOW);
    headers.put("ratelimit-remaining", left + WINDOW);
    return new StubHttpServer.Response(r.status(), headers, r.body());
  }

  /** The window "resets" (a test knob): the full limit is available again. */
  public void resetWindow() {
    remaining.set(limit);
  }

  /** Manifest GETs served (each one pull). */
  public int pulls() {
    return pulls.get();
  }

  /** Manifest GETs that arrived with no pull left (answered 429). */
  public int refused() {
    return refused.get();
  }

  /** Pulls left in the window. */
  public int remaining() {
    return remaining.get();
  }

  /** The image's blobs (config and layer), by digest, to seed a destination with. */
  public Map<String, byte[]> blobs() {
    return Map.copyOf(blobs);
  }

  /** The digest of the one image served. */
  public Digest digest() {
    return manifestDigest;
  }

  /** Every request received, in order. */
  public java.util.List<StubHttpServer.Request> requests() {
    return server.requests();
  }

  /** {@code 127.0.0.1:PORT}: a loopback registry, reached over plain HTTP. */
  public String host() {
    return server.host();
  }

  @Override
  public void close() {
    server.close();
  }
}
