package dev.ecrmirror.common.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecrmirror.common.Json;
import dev.ecrmirror.common.manifest.Manifest;
import dev.ecrmirror.common.manifest.MediaTypes;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread-safe client for the OCI distribution API on any number of registries: manifests as raw
 * bytes, blobs as streams, uploads, cross-repository mounts, auth and retries.
 *
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md">OCI distribution spec</a>
 */
public final class RegistryClient {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryClient.class);
  private static final Duration MANIFEST_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(20);
  private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);
  private static final int MAX_REDIRECTS = 5;
  private static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
  private static final int LOW_RATE_LIMIT = 10;

  private final HttpClient plainHttp;
  private volatile HttpClient tls;
  private final RegistryOptions options;
  private final Authenticator auth;
  private final Set<String> chunkedOnly = ConcurrentHashMap.newKeySet();

  public RegistryClient(RegistryOptions options) {
    this.options = options;
    this.plainHttp = plainHttpClient();
    this.auth = new Authenticator(this::clientFor, options.credentials(), options.userAgent());
  }

  private static HttpClient.Builder builder() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(15))
        .followRedirects(HttpClient.Redirect.NEVER);
  }

  /**
   * The client for plain-HTTP registries (loopback, insecure). Building an HTTP client normally
   * sets up the default TLS context, parsing the whole CA keystore, which a run that only talks
   * plain HTTP never uses: give this one a context that is never initialized.
   */
  private static HttpClient plainHttpClient() {
    return builder().sslContext(new NoTlsContext()).sslParameters(new SSLParameters()).build();
  }

  /** The client for a URI: TLS (verified, built on first use) for https, else the plain one. */
  private HttpClient clientFor(URI uri) {
    if (!"https".equals(uri.getScheme())) {
      return plainHttp;
    }
    HttpClient c = tls;
    if (c == null) {
      synchronized (this) {
        c = tls;
        if (c == null) {
          c = builder().build();
          tls = c;
        }
      }
    }
    return c;
  }

  /** A manifest's identity as a HEAD request reports it. */
  public record ManifestHead(Digest digest, String mediaType, long size) {}

  /** An open blob download; close the stream when done. */
  public record BlobStream(InputStream body, long length, long offset) {}

  /**
   * The digest of the manifest a reference points at, from a HEAD request (which Docker Hub does
   * not count against the pull limit), or empty when the registry has no such manifest.
   */
  public Optional<ManifestHead> headManifest(ImageReference ref) {
    String action = "check manifest " + ref;
    HttpResponse<byte[]> response = send(action, ref, pull(ref), true,
        () -> request(manifestUri(ref, ref.manifestReference())).method("HEAD", HttpRequest.BodyPublishers.noBody())
            .header("Accept", MediaTypes.ACCEPT_ALL_MANIFESTS).timeout(MANIFEST_TIMEOUT),
        HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    expect(action, response, 200);
    Optional<String> digest = response.headers().firstValue("Docker-Content-Digest");
    if (digest.isEmpty()) {
      // Some registries omit the header on HEAD: the bytes are the only truth then.
      Manifest m = getManifest(ref);
      return Optional.of(new ManifestHead(m.digest(), m.mediaType(), m.size()));
    }
    return Optional.of(new ManifestHead(Digest.parse(digest.get()), contentType(response),
        response.headers().firstValueAsLong("Content-Length").orElse(-1)));
  }

  /** The manifest a reference points at, as raw bytes; verified against the digest when pinned by one. */
  public Manifest getManifest(ImageReference ref) {
    return getManifest(ref, ref.manifestReference());
  }

  /** The manifest {@code reference} (a tag or digest) in the repository of {@code repo}. */
  public Manifest getManifest(ImageReference repo, String reference) {
    String action = "get manifest " + repo.name() + (reference.contains(":") ? "@" : ":") + reference;
    HttpResponse<byte[]> response = send(action, repo, pull(repo), true,
        () -> request(manifestUri(repo, reference)).GET()
            .header("Accept", MediaTypes.ACCEPT_ALL_MANIFESTS).timeout(MANIFEST_TIMEOUT),
        HttpResponse.BodyHandlers.ofByteArray());
    expect(action, response, 200);
    if (response.body().length > MAX_MANIFEST_BYTES) {
      throw new RegistryException(action, 200, "SIZE_INVALID", "manifest larger than 4 MiB");
    }
    Manifest manifest = Manifest.of(response.body(), contentType(response));
    if (reference.contains(":")) {
      Digest expected = Digest.parse(reference);
      if (!expected.matches(response.body())) {
        throw new RegistryException(action, 200, "DIGEST_INVALID",
            "the registry served bytes whose digest is " + manifest.digest() + ", not " + expected);
      }
    }
    return manifest;
  }

  /** Pushes the manifest's bytes unchanged under {@code reference} (a tag, or its digest). */
  public void putManifest(ImageReference repo, String reference, Manifest manifest) {
    String action = "push manifest " + repo.name() + (reference.contains(":") ? "@" : ":") + reference;
    byte[] body = manifest.bytes();
    HttpResponse<byte[]> response = send(action, repo, push(repo), true,
        () -> request(manifestUri(repo, reference)).PUT(HttpRequest.BodyPublishers.ofByteArray(body))
            .header("Content-Type", manifest.mediaType()).timeout(MANIFEST_TIMEOUT),
        HttpResponse.BodyHandlers.ofByteArray());
    expect(action, response, 201, 200);
    response.headers().firstValue("Docker-Content-Digest").map(Digest::parse).ifPresent(stored -> {
      if (!stored.equals(manifest.digest())) {
        throw new RegistryException(action, response.statusCode(), "DIGEST_INVALID",
            "the registry stored it as " + stored + ", not " + manifest.digest() + " (it rewrote the manifest)");
      }
    });
  }

  /** True when the repository already holds the blob. */
  public boolean blobExists(ImageReference repo, Digest digest) {
    String action = "check blob " + digest.shortHex() + " in " + repo.name();
    HttpResponse<byte[]> response = send(action, repo, pull(repo), true,
        () -> request(blobUri(repo, digest)).method("HEAD", HttpRequest.BodyPublishers.noBody()).timeout(MANIFEST_TIMEOUT),
        HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() == 404) {
      return false;
    }
    // A redirect means the registry serves the blob from elsewhere: it exists.
    if (response.statusCode() >= 300 && response.statusCode() < 400) {
      return true;
    }
    expect(action, response, 200);
    return true;
  }

  /**
   * Opens a blob for reading from {@code offset} (a Range request; a registry that ignores Range
   * is read from the start, and {@link BlobStream#offset()} says so). Redirects to another host
   * (ECR serves layers from S3) are followed without our {@code Authorization} header.
   */
  public BlobStream openBlob(ImageReference repo, Digest digest, long offset) {
    String action = "download blob " + digest.shortHex() + " from " + repo.name();
    URI uri = blobUri(repo, digest);
    String origin = uri.getAuthority();
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      URI target = uri;
      boolean sameHost = target.getAuthority().equals(origin);
      HttpResponse<InputStream> response = send(action, repo, sameHost ? pull(repo) : null, true, () -> {
        HttpRequest.Builder b = request(target).GET();
        if (offset > 0) {
          b.header("Range", "bytes=" + offset + "-");
        }
        return b;
      }, HttpResponse.BodyHandlers.ofInputStream());
      int status = response.statusCode();
      if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
        String location = response.headers().firstValue("Location").orElseThrow(() ->
            new RegistryException(action, status, "", "redirect without a Location"));
        closeQuietly(response.body());
        uri = target.resolve(location);
        continue;
      }
      if (status == 200 || (status == 206 && offset > 0)) {
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        return new BlobStream(response.body(), length, status == 206 ? offset : 0);
      }
      throw error(action, status, readError(response.body()));
    }
    throw new RegistryException(action, 0, "", "more than " + MAX_REDIRECTS + " redirects");
  }

  /**
   * Asks the registry to mount the blob from another repository of the same registry. True when
   * mounted (201); false when the registry wants an upload instead (202), as it may for any reason.
   */
  public boolean mountBlob(ImageReference repo, Digest digest, ImageReference from) {
    String action = "mount blob " + digest.shortHex() + " from " + from.repository() + " into " + repo.name();
    URI uri = base(repo).resolve("/v2/" + repo.repository() + "/blobs/uploads/?mount="
        + encode(digest.toString()) + "&from=" + encode(from.repository()));
    List<String> scopes = List.of(scope(repo, "pull,push"), scope(from, "pull"));
    HttpResponse<byte[]> response = send(action, repo, scopes, true,
        () -> request(uri).POST(HttpRequest.BodyPublishers.noBody()).timeout(MANIFEST_TIMEOUT),
        HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() == 201) {
      return true;
    }
    expect(action, response, 202);
    return false;
  }

  /**
   * Uploads a blob in one PUT after the POST that opens the session (ECR's chunked PATCH is
   * unreliable). A registry that refuses a PUT with a body is remembered, and from then on gets the
   * body in one PATCH followed by an empty PUT: the chunked protocol, as a fallback. The body is
   * streamed; the registry verifies the digest it is given. Not retried here: the caller owns the
   * stream and must reopen it to try again.
   */
  public void uploadBlob(ImageReference repo, Digest digest, long size, Flow.Publisher<ByteBuffer> body) {
    String action = "upload blob " + digest.shortHex() + " (" + size + " bytes) to " + repo.name();
    URI start = base(repo).resolve("/v2/" + repo.repository() + "/blobs/uploads/");
    HttpResponse<byte[]> opened = send(action, repo, push(repo), true,
        () -> request(start).POST(HttpRequest.BodyPublishers.noBody()).timeout(MANIFEST_TIMEOUT),
        HttpResponse.BodyHandlers.ofByteArray());
    expect(action, opened, 202);
    URI session = uploadLocation(action, start, opened);
    // A zero-length blob (an empty file) has no body to stream; the HTTP client rejects length 0.
    HttpRequest.BodyPublisher publisher = size == 0
        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.fromPublisher(body, size);
    if (chunkedOnly.contains(repo.registry())) {
      HttpResponse<byte[]> patched = send(action, repo, push(repo), false,
          () -> request(session).method("PATCH", publisher).header("Content-Type", "application/octet-stream"),
          HttpResponse.BodyHandlers.ofByteArray());
      expect(action, patched, 202, 204);
      URI next = uploadLocation(action, session, patched);
      HttpResponse<byte[]> done = send(action, repo, push(repo), true,
          () -> request(withDigest(next, digest)).PUT(HttpRequest.BodyPublishers.noBody()).timeout(MANIFEST_TIMEOUT),
          HttpResponse.BodyHandlers.ofByteArray());
      expect(action, done, 201, 204);
      return;
    }
    HttpResponse<byte[]> done = send(action, repo, push(repo), false,
        () -> request(withDigest(session, digest)).PUT(publisher).header("Content-Type", "application/octet-stream"),
        HttpResponse.BodyHandlers.ofByteArray());
    if (done.statusCode() == 405 || done.statusCode() == 501
        || (done.statusCode() == 400 && readError(done.body()).code().equals("UNSUPPORTED"))) {
      chunkedOnly.add(repo.registry());
      // A retryable failure: the caller reopens the stream and the next try goes chunked.
      throw new RegistryException(action, 0, "UNSUPPORTED",
          "the registry refused a single-PUT upload (HTTP " + done.statusCode() + "); switching to chunked uploads");
    }
    expect(action, done, 201, 204);
  }

  private static URI uploadLocation(String action, URI base, HttpResponse<byte[]> response) {
    String location = response.headers().firstValue("Location").orElseThrow(() ->
        new RegistryException(action, response.statusCode(), "", "the registry answered the upload without a Location"));
    return base.resolve(location);
  }

  private static URI withDigest(URI session, Digest digest) {
    return URI.create(session + (session.getRawQuery() == null ? "?" : "&") + "digest=" + encode(digest.toString()));
  }

  // ---- transport ----

  private <T> HttpResponse<T> send(String action, ImageReference repo, List<String> scopes, boolean retry,
      Supplier<HttpRequest.Builder> builder, HttpResponse.BodyHandler<T> handler) {
    String registry = repo.registry();
    int attempts = retry ? options.retryTimes() + 1 : 1;
    boolean reauthenticated = false;
    for (int attempt = 1; ; attempt++) {
      HttpRequest.Builder b = builder.get();
      if (scopes != null) {
        auth.headerFor(registry, scopes).ifPresent(h -> b.header("Authorization", h));
      }
      HttpResponse<T> response;
      try {
        HttpRequest built = b.build();
        response = clientFor(built.uri()).send(built, handler);
      } catch (IOException e) {
        RegistryException failure = new RegistryException(action, 0, "", connectionProblem(repo, e), e);
        if (attempt >= attempts) {
          throw failure;
        }
        sleep(backoff(attempt, Optional.empty()), action, failure);
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryException(action, 0, "", "interrupted", e);
      }
      int status = response.statusCode();
      if (status == 401 && scopes != null && !reauthenticated) {
        String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
        discard(response.body());
        Optional<String> header = auth.onChallenge(registry, challenge, scopes);
        if (header.isPresent()) {
          reauthenticated = true;
          attempt--; // the challenge round trip is not a failed attempt
          continue;
        }
        throw new RegistryException(action, 401, "UNAUTHORIZED", auth.hasLogin(registry)
            ? "the registry rejected the login" : "the registry requires a login: add one to the auth file");
      }
      if ((status == 408 || status == 429 || status >= 500) && attempt < attempts) {
        RegistryException failure = error(action, status, readError(response.body()));
        sleep(backoff(attempt, response.headers().firstValue("Retry-After")), action, failure);
        continue;
      }
      response.headers().firstValue("ratelimit-remaining").ifPresent(left -> noteRateLimit(registry, left));
      return response;
    }
  }

  /** Docker Hub's {@code ratelimit-remaining: 76;w=21600}: warn while few pulls are left. */
  private static void noteRateLimit(String registry, String header) {
    String count = header.split(";", 2)[0].trim();
    try {
      int left = Integer.parseInt(count);
      if (left < LOW_RATE_LIMIT) {
        LOG.warn("{}: only {} pulls left in the rate-limit window (log in to raise the limit)", registry, left);
      } else {
        LOG.debug("{}: {} pulls left in the rate-limit window", registry, left);
      }
    } catch (NumberFormatException e) {
      LOG.debug("{}: rate limit header {}", registry, header);
    }
  }

  private Duration backoff(int attempt, Optional<String> retryAfter) {
    if (retryAfter.isPresent()) {
      try {
        long seconds = Long.parseLong(retryAfter.get().trim());
        return Duration.ofSeconds(Math.min(Math.max(seconds, 0), MAX_RETRY_AFTER.toSeconds()));
      } catch (NumberFormatException e) {
        // An HTTP-date: fall through to our own backoff.
      }
    }
    long base = options.initialBackoff().toMillis() << Math.min(attempt - 1, 16);
    long capped = Math.min(base, MAX_BACKOFF.toMillis());
    // Full jitter keeps many workers from retrying in lock step.
    return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
  }

  private static void sleep(Duration delay, String action, RegistryException cause) {
    LOG.warn("{}; retrying in {} ms", cause.getMessage(), delay.toMillis());
    try {
      Thread.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException(action, 0, "", "interrupted", e);
    }
  }

  private static String connectionProblem(ImageReference repo, IOException e) {
    String host = repo.apiHost();
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (e instanceof HttpConnectTimeoutException) {
      return "cannot reach registry " + host + ": connection timed out";
    }
    if (e instanceof HttpTimeoutException) {
      return "registry " + host + " did not answer in time";
    }
    if (e instanceof ConnectException || root instanceof ConnectException) {
      return "cannot reach registry " + host + ": connection refused";
    }
    if (root instanceof UnresolvedAddressException || root instanceof java.net.UnknownHostException) {
      return "cannot reach registry " + host + ": unknown host";
    }
    if (root instanceof javax.net.ssl.SSLException) {
      return "TLS with " + host + " failed: " + root.getMessage()
          + " (if it serves plain HTTP, pass --insecure-registry " + repo.registry() + ")";
    }
    String message = e.getMessage() != null ? e.getMessage() : root.getClass().getSimpleName();
    return "connection to " + host + " failed: " + message;
  }

  private HttpRequest.Builder request(URI uri) {
    return HttpRequest.newBuilder(uri).header("User-Agent", options.userAgent());
  }

  /** The API base: plain HTTP for loopback and registries the user marked insecure, HTTPS otherwise. */
  public URI base(ImageReference repo) {
    boolean plain = isLoopback(repo.hostName()) || options.insecureRegistries().contains(repo.registry())
        || options.insecureRegistries().contains(repo.hostName().toLowerCase(Locale.ROOT));
    return URI.create((plain ? "http://" : "https://") + repo.apiHost() + "/");
  }

  static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
  }

  private URI manifestUri(ImageReference repo, String reference) {
    return base(repo).resolve("/v2/" + repo.repository() + "/manifests/" + reference);
  }

  private URI blobUri(ImageReference repo, Digest digest) {
    return base(repo).resolve("/v2/" + repo.repository() + "/blobs/" + digest);
  }

  private static List<String> pull(ImageReference repo) {
    return List.of(scope(repo, "pull"));
  }

  private static List<String> push(ImageReference repo) {
    return List.of(scope(repo, "pull,push"));
  }

  private static String scope(ImageReference repo, String actions) {
    return "repository:" + repo.repository() + ":" + actions;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static String contentType(HttpResponse<?> response) {
    return response.headers().firstValue("Content-Type").orElse("");
  }

  private static void expect(String action, HttpResponse<byte[]> response, int... ok) {
    for (int status : ok) {
      if (response.statusCode() == status) {
        return;
      }
    }
    throw error(action, response.statusCode(), readError(response.body()));
  }

  private record ErrorBody(String code, String message) {}

  private static RegistryException error(String action, int status, ErrorBody body) {
    String detail = body.message();
    if (detail.isEmpty()) {
      detail = switch (status) {
        case 403 -> "access denied";
        case 404 -> "not found";
        case 429 -> "too many requests";
        default -> "";
      };
    }
    return new RegistryException(action, status, body.code(), detail);
  }

  private static ErrorBody readError(Object body) {
    byte[] bytes;
    if (body instanceof byte[] b) {
      bytes = b;
    } else if (body instanceof InputStream in) {
      try (in) {
        bytes = in.readNBytes(64 * 1024);
      } catch (IOException e) {
        return new ErrorBody("", "");
      }
    } else {
      return new ErrorBody("", "");
    }
    if (bytes.length == 0) {
      return new ErrorBody("", "");
    }
    try {
      JsonNode first = Json.mapper().readTree(bytes).path("errors").path(0);
      if (first.isObject()) {
        return new ErrorBody(first.path("code").asText(""), first.path("message").asText(""));
      }
    } catch (IOException e) {
      // Not the spec's error JSON (a proxy's HTML page, say): report the status alone.
    }
    return new ErrorBody("", "");
  }

  private static void discard(Object body) {
    if (body instanceof InputStream in) {
      closeQuietly(in);
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // Nothing to do: the connection is dropped either way.
    }
  }
}
