package dev.ecrmirror.common.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecrmirror.common.Json;
import dev.ecrmirror.common.LazyLogger;
import dev.ecrmirror.common.manifest.Manifest;
import dev.ecrmirror.common.manifest.MediaTypes;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.retry.RetryPolicy;
import dev.ecrmirror.common.registry.Transport.Request;
import dev.ecrmirror.common.registry.Transport.Response;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A thread-safe client for the OCI distribution API on any number of registries: manifests as raw
 * bytes, blobs as streams, uploads, cross-repository mounts, auth and retries.
 *
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md">OCI distribution spec</a>
 */
public final class RegistryClient {
  private static final LazyLogger LOG = LazyLogger.of(RegistryClient.class);
  private static final Duration MANIFEST_TIMEOUT = Duration.ofSeconds(60);
  /** How long a registry may take to answer once an upload's last byte is sent (it verifies and stores it). */
  private static final Duration UPLOAD_ANSWER_TIMEOUT = Duration.ofMinutes(15);
  /** How long a blob download may wait for its next bytes before it counts as broken. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(120);
  private static final int MAX_REDIRECTS = 5;
  private static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
  private static final int MAX_ERROR_BYTES = 64 * 1024;
  /** A page of 1,000 tags of 128 characters fits well within this. */
  private static final int MAX_TAGS_PAGE_BYTES = 16 * 1024 * 1024;

  private final Transport transport;
  private final RegistryOptions options;
  private final Authenticator auth;
  private final Set<String> chunkedOnly = ConcurrentHashMap.newKeySet();
  private final PullBudgets budgets;

  public RegistryClient(RegistryOptions options) {
    this.options = options;
    this.transport = new Transport(options.tls());
    this.budgets = new PullBudgets(options.pullReserve(), options.retry().clock(), options.retry().sleeper());
    this.auth = new Authenticator(transport, options.credentials(), options.userAgent(), this::plainHttpAllowed);
  }

  /**
   * Per registry that sent a {@code ratelimit-remaining} header (Docker Hub does), the lowest count of
   * pulls left it reported to this client: the run's rate-limit metric. Empty when none did.
   */
  public Map<String, Long> rateLimitRemaining() {
    return budgets.lowestReported();
  }

  /** The retry policy of this client's requests, for callers that retry larger steps (a whole blob transfer). */
  public RetryPolicy retryPolicy() {
    return options.retry();
  }

  /** A manifest's identity as a HEAD request reports it. */
  public record ManifestHead(Digest digest, String mediaType, long size) {}

  /** An open blob download; close the stream when done. */
  public record BlobStream(InputStream body, long length, long offset) {}

  /** Writes an upload's bytes, exactly as many as the upload declares. */
  @FunctionalInterface
  public interface BlobBody {
    void writeTo(OutputStream out) throws IOException;

    /**
     * Called before the bytes are written with a way to drop the connection from another thread:
     * a write the registry never takes blocks, and only this ends it.
     */
    default void abortWith(Runnable abort) { }
  }

  /**
   * The digest of the manifest a reference points at, from a HEAD request (which Docker Hub does
   * not count against the pull limit), or empty when the registry has no such manifest.
   */
  public Optional<ManifestHead> headManifest(ImageReference ref) {
    String action = "check manifest " + ref;
    URI uri = manifestUri(ref, ref.manifestReference());
    Response response = send(action, ref, pull(ref), true,
        () -> Request.of("HEAD", uri, Map.of("Accept", MediaTypes.ACCEPT_ALL_MANIFESTS), MANIFEST_TIMEOUT));
    response.discard();
    if (response.status() == 404) {
      return Optional.empty();
    }
    expect(action, response, 200);
    Optional<String> digest = response.header("Docker-Content-Digest");
    if (digest.isEmpty()) {
      // Some registries omit the header on HEAD: the bytes are the only truth then.
      Manifest m = getManifest(ref);
      return Optional.of(new ManifestHead(m.digest(), m.mediaType(), m.size()));
    }
    return Optional.of(new ManifestHead(Digest.parse(digest.get()), contentType(response),
        response.longHeader("Content-Length").orElse(-1)));
  }

  /** The manifest a reference points at, as raw bytes; verified against the digest when pinned by one. */
  public Manifest getManifest(ImageReference ref) {
    return getManifest(ref, ref.manifestReference());
  }

  /** The manifest {@code reference} (a tag or digest) in the repository of {@code repo}. */
  public Manifest getManifest(ImageReference repo, String reference) {
    String action = "get manifest " + repo.name() + (reference.contains(":") ? "@" : ":") + reference;
    URI uri = manifestUri(repo, reference);
    // A pull, as Docker Hub counts them: it spends the registry's rate budget.
    Response response = send(action, repo, pull(repo), true, true,
        () -> Request.of("GET", uri, Map.of("Accept", MediaTypes.ACCEPT_ALL_MANIFESTS), MANIFEST_TIMEOUT));
    expect(action, response, 200);
    byte[] bytes = read(action, response, MAX_MANIFEST_BYTES + 1);
    if (bytes.length > MAX_MANIFEST_BYTES) {
      throw new RegistryException(action, 200, "SIZE_INVALID", "manifest larger than 4 MiB");
    }
    Manifest manifest = Manifest.of(bytes, contentType(response));
    if (reference.contains(":")) {
      Digest expected = Digest.parse(reference);
      if (!expected.matches(bytes)) {
        throw new RegistryException(action, 200, "DIGEST_INVALID",
            "the registry served bytes whose digest is " + manifest.digest() + ", not " + expected);
      }
    }
    return manifest;
  }

  /** Pushes the manifest's bytes unchanged under {@code reference} (a tag, or its digest). */
  public void putManifest(ImageReference repo, String reference, Manifest manifest) {
    String action = "push manifest " + repo.name() + (reference.contains(":") ? "@" : ":") + reference;
    URI uri = manifestUri(repo, reference);
    Response response = send(action, repo, push(repo), true, () -> Request.withBytes("PUT", uri,
        Map.of("Content-Type", manifest.mediaType()), manifest.bytes(), MANIFEST_TIMEOUT));
    expect(action, response, 201, 200);
    response.discard();
    response.header("Docker-Content-Digest").map(Digest::parse).ifPresent(stored -> {
      if (!stored.equals(manifest.digest())) {
        throw new RegistryException(action, response.status(), "DIGEST_INVALID",
            "the registry stored it as " + stored + ", not " + manifest.digest() + " (it rewrote the manifest)");
      }
    });
  }

  /**
   * A repository's tags and how many requests listing them took.
   *
   * @param tags every tag, in the order the registry listed them
   * @param requests how many pages were read (each one request against the registry's rate budget)
   */
  public record TagList(List<String> tags, int requests) {
    public TagList {
      tags = List.copyOf(tags);
    }
  }

  /**
   * Every tag of the repository, in the order the registry lists them: {@code GET /v2/NAME/tags/list}
   * with {@code n=pageSize}, following the {@code Link: <…>; rel="next"} header page by page (Docker
   * Hub, GHCR, Quay and ECR all paginate). Each page is one request; none is a manifest pull. A
   * repository the registry does not know is an error, not an empty list.
   */
  public TagList listTagPages(ImageReference repo, int pageSize) {
    if (pageSize < 1) {
      throw new IllegalArgumentException("tag page size must be 1 or more, not " + pageSize);
    }
    String action = "list tags of " + repo.name();
    List<String> tags = new ArrayList<>();
    URI next = base(repo).resolve("/v2/" + repo.repository() + "/tags/list?n=" + pageSize);
    Set<URI> seen = new HashSet<>();
    int requests = 0;
    while (next != null) {
      if (!seen.add(next)) {
        throw new RegistryException(action, 200, "PAGINATION_INVALID", "the registry's Link header loops back to " + next);
      }
      URI page = next;
      requests++;
      Response response = send(action, repo, pull(repo), true,
          () -> Request.of("GET", page, Map.of("Accept", "application/json"), MANIFEST_TIMEOUT));
      if (response.status() == 404) {
        ErrorBody body = readError(response);
        throw error(action, 404, body.code().isEmpty() ? new ErrorBody("NAME_UNKNOWN", "no such repository") : body);
      }
      expect(action, response, 200);
      byte[] bytes = read(action, response, MAX_TAGS_PAGE_BYTES);
      try {
        JsonNode listed = Json.readTree(bytes).path("tags");
        if (!listed.isNull() && !listed.isMissingNode() && !listed.isArray()) {
          throw new RegistryException(action, 200, "", "the registry's tag list is not a JSON array");
        }
        for (JsonNode tag : listed) {
          tags.add(tag.asText());
        }
      } catch (IOException e) {
        throw new RegistryException(action, 200, "", "the registry's tag list is not JSON: " + e.getMessage(), e);
      }
      next = response.header("Link").flatMap(RegistryClient::nextLink).map(page::resolve).orElse(null);
    }
    return new TagList(tags, requests);
  }

  /**
   * The descriptors of the manifests that refer to {@code subject} (their {@code subject} field names
   * it), from the OCI referrers API ({@code GET /v2/NAME/referrers/DIGEST}), following {@code Link}
   * pages; empty when the registry does not serve that API (a registry that does answers 200 with an
   * index, empty or not, for any digest). Each descriptor is as the registry wrote it ({@code
   * artifactType}, annotations). Not a manifest pull.
   *
   * @see <a href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers">Listing referrers</a>
   */
  public Optional<List<JsonNode>> referrers(ImageReference repo, Digest subject) {
    String action = "list referrers of " + repo.name() + "@" + subject;
    List<JsonNode> out = new ArrayList<>();
    URI next = base(repo).resolve("/v2/" + repo.repository() + "/referrers/" + subject);
    Set<URI> seen = new HashSet<>();
    while (next != null) {
      if (!seen.add(next)) {
        throw new RegistryException(action, 200, "PAGINATION_INVALID", "the registry's Link header loops back to " + next);
      }
      URI page = next;
      Response response = send(action, repo, pull(repo), true,
          () -> Request.of("GET", page, Map.of("Accept", MediaTypes.OCI_INDEX), MANIFEST_TIMEOUT));
      // A registry without the API answers its unknown route with 404 (docker-registry 2.8), or 400/405.
      if (out.isEmpty() && seen.size() == 1
          && (response.status() == 404 || response.status() == 405 || response.status() == 400)) {
        response.discard();
        return Optional.empty();
      }
      expect(action, response, 200);
      byte[] bytes = read(action, response, MAX_MANIFEST_BYTES);
      try {
        for (JsonNode d : Json.readTree(bytes).path("manifests")) {
          out.add(d);
        }
      } catch (IOException e) {
        throw new RegistryException(action, 200, "", "the registry's referrers index is not JSON: " + e.getMessage(), e);
      }
      next = response.header("Link").flatMap(RegistryClient::nextLink).map(page::resolve).orElse(null);
    }
    return Optional.of(out);
  }

  /** The target of {@code rel="next"} in a {@code Link} header, if any. */
  static Optional<String> nextLink(String header) {
    for (String link : header.split(",(?=\\s*<)")) {
      int open = link.indexOf('<');
      int close = link.indexOf('>', open + 1);
      if (open >= 0 && close > open && link.substring(close + 1).replace(" ", "").contains("rel=\"next\"")) {
        return Optional.of(link.substring(open + 1, close).trim());
      }
    }
    return Optional.empty();
  }

  /** True when the repository already holds the blob. */
  public boolean blobExists(ImageReference repo, Digest digest) {
    String action = "check blob " + digest.shortHex() + " in " + repo.name();
    URI uri = blobUri(repo, digest);
    Response response = send(action, repo, pull(repo), true, () -> Request.of("HEAD", uri, Map.of(), MANIFEST_TIMEOUT));
    response.discard();
    if (response.status() == 404) {
      return false;
    }
    // A redirect means the registry serves the blob from elsewhere: it exists.
    if (response.status() >= 300 && response.status() < 400) {
      return true;
    }
    expect(action, response, 200);
    return true;
  }

  /** {@link #openBlob(ImageReference, Digest, long, Duration)} with the default read timeout. */
  public BlobStream openBlob(ImageReference repo, Digest digest, long offset) {
    return openBlob(repo, digest, offset, DEFAULT_READ_TIMEOUT);
  }

  /**
   * Opens a blob for reading from {@code offset} (a Range request; a registry that ignores Range
   * is read from the start, and {@link BlobStream#offset()} says so). Redirects are followed with
   * our {@code Authorization} header only to the very origin asked first, same scheme, host and
   * port: not to another host (ECR serves layers from S3, with a signed URL of its own), and never
   * from HTTPS down to plain HTTP, even on the same host. A read of the body that waits longer than
   * {@code readTimeout} fails with a {@link SocketTimeoutException}.
   */
  public BlobStream openBlob(ImageReference repo, Digest digest, long offset, Duration readTimeout) {
    String action = "download blob " + digest.shortHex() + " from " + repo.name();
    URI uri = blobUri(repo, digest);
    URI origin = uri;
    Map<String, String> headers = offset > 0 ? Map.of("Range", "bytes=" + offset + "-") : Map.of();
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      URI target = uri;
      Response response = send(action, repo, sameOrigin(origin, target) ? pull(repo) : null, true,
          () -> Request.of("GET", target, headers, readTimeout));
      int status = response.status();
      if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
        String location = response.header("Location").orElseThrow(() ->
            new RegistryException(action, status, "", "redirect without a Location"));
        response.discard();
        uri = target.resolve(location);
        continue;
      }
      if (status == 200 || (status == 206 && offset > 0)) {
        long length = response.longHeader("Content-Length").orElse(-1);
        return new BlobStream(new BlobBodyStream(response), length, status == 206 ? offset : 0);
      }
      throw error(action, status, readError(response));
    }
    throw new RegistryException(action, 0, "", "more than " + MAX_REDIRECTS + " redirects");
  }

  /**
   * A download's body. Closed before its end (the copy failed, or the read timed out), it drops
   * the connection rather than drain or keep a connection in an unknown state.
   */
  private static final class BlobBodyStream extends FilterInputStream {
    private final Response response;
    private boolean ended;

    BlobBodyStream(Response response) {
      super(response.body());
      this.response = response;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      ended |= b < 0;
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      ended |= n < 0;
      return n;
    }

    @Override
    public void close() {
      if (ended) {
        response.close();
      } else {
        response.abort();
      }
    }
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
    Response response = send(action, repo, scopes, true,
        () -> Request.withBytes("POST", uri, Map.of(), new byte[0], MANIFEST_TIMEOUT));
    if (response.status() == 201) {
      response.discard();
      return true;
    }
    expect(action, response, 202);
    // A session opened for an upload we do not make here: the registry expires it.
    response.discard();
    return false;
  }

  /**
   * Uploads a blob in one PUT after the POST that opens the session (ECR's chunked PATCH is
   * unreliable). A registry that refuses a PUT with a body is remembered, and from then on gets the
   * body in one PATCH followed by an empty PUT: the chunked protocol, as a fallback. The body is
   * streamed; the registry verifies the digest it is given, and a body that fails mid-way is never
   * completed (the connection is dropped short of its declared length). Not retried here: the
   * caller owns the bytes and must offer them again to try again.
   */
  public void uploadBlob(ImageReference repo, Digest digest, long size, BlobBody body) {
    String action = "upload blob " + digest.shortHex() + " (" + size + " bytes) to " + repo.name();
    URI start = base(repo).resolve("/v2/" + repo.repository() + "/blobs/uploads/");
    Response opened = send(action, repo, push(repo), true,
        () -> Request.withBytes("POST", start, Map.of(), new byte[0], MANIFEST_TIMEOUT));
    expect(action, opened, 202);
    opened.discard();
    URI session = uploadLocation(action, start, opened);
    Map<String, String> octets = Map.of("Content-Type", "application/octet-stream");
    if (chunkedOnly.contains(repo.registry())) {
      Response patched = send(action, repo, push(repo), false,
          () -> new Request("PATCH", session, octets, size, body, UPLOAD_ANSWER_TIMEOUT));
      expect(action, patched, 202, 204);
      patched.discard();
      URI next = uploadLocation(action, session, patched);
      Response done = send(action, repo, push(repo), true,
          () -> Request.withBytes("PUT", withDigest(next, digest), Map.of(), new byte[0], MANIFEST_TIMEOUT));
      expect(action, done, 201, 204);
      done.discard();
      return;
    }
    Response done = send(action, repo, push(repo), false,
        () -> new Request("PUT", withDigest(session, digest), octets, size, body, UPLOAD_ANSWER_TIMEOUT));
    if (done.status() == 405 || done.status() == 501 || done.status() == 400) {
      ErrorBody refusal = readError(done);
      if (done.status() != 400 || refusal.code().equals("UNSUPPORTED")) {
        chunkedOnly.add(repo.registry());
        // A retryable failure: the caller offers the bytes again and the next try goes chunked.
        throw new RegistryException(action, 0, "UNSUPPORTED",
            "the registry refused a single-PUT upload (HTTP " + done.status() + "); switching to chunked uploads");
      }
      throw error(action, done.status(), refusal);
    }
    expect(action, done, 201, 204);
    done.discard();
  }

  private static URI uploadLocation(String action, URI base, Response response) {
    String location = response.header("Location").orElseThrow(() ->
        new RegistryException(action, response.status(), "", "the registry answered the upload without a Location"));
    return base.resolve(location);
  }

  private static URI withDigest(URI session, Digest digest) {
    return URI.create(session + (session.getRawQuery() == null ? "?" : "&") + "digest=" + encode(digest.toString()));
  }

  // ---- transport ----

  /**
   * Sends a request with the login its scopes need, answering one auth challenge and, when
   * {@code retry}, retrying 408, 5xx and broken connections {@code --retry-times} times and 429 for
   * the throttle budget (a 429 that outlives it spends the registry's pull budget). The caller
   * reads or discards the body.
   */
  private Response send(String action, ImageReference repo, List<String> scopes, boolean retry,
      Supplier<Request> request) {
    return send(action, repo, scopes, retry, false, request);
  }

  /** As above; {@code pull}: the request counts against the registry's pull budget (a manifest GET). */
  private Response send(String action, ImageReference repo, List<String> scopes, boolean retry, boolean pull,
      Supplier<Request> request) {
    String registry = repo.registry();
    RetryPolicy.Attempts attempts = options.retry().start();
    boolean reauthenticated = false;
    while (true) {
      if (pull) {
        pause(action, budgets::beforePull, registry);
      }
      Request r = request.get();
      Map<String, String> headers = new LinkedHashMap<>(r.headers());
      headers.put("User-Agent", options.userAgent());
      // A login never goes over plain HTTP to a host that is not loopback or marked insecure, wherever
      // the URI came from (a redirect, an upload's Location).
      boolean loginAllowed = scopes != null
          && ("https".equalsIgnoreCase(r.uri().getScheme()) || plainHttpAllowed(r.uri().getRawAuthority()));
      if (loginAllowed) {
        auth.headerFor(registry, scopes).ifPresent(h -> headers.put("Authorization", h));
      }
      Response response;
      try {
        response = transport.exchange(new Request(r.method(), r.uri(), headers, r.length(), r.body(), r.readTimeout()));
      } catch (IOException e) {
        if (Thread.currentThread().isInterrupted()) {
          throw new RegistryException(action, 0, "", "interrupted", e);
        }
        RegistryException failure = new RegistryException(action, 0, "", connectionProblem(repo, e), e);
        if (retry && retried(action, failure, attempts, attempts::retryTransient)) {
          continue;
        }
        throw failure;
      }
      response.header("ratelimit-remaining").ifPresent(left -> budgets.observe(registry, left));
      int status = response.status();
      if (status == 401 && loginAllowed) {
        String challenge = response.header("WWW-Authenticate").orElse("");
        response.discard();
        Optional<String> header = reauthenticated ? Optional.empty() : auth.onChallenge(registry, challenge, scopes,
            headers.containsKey("Authorization"));
        if (header.isPresent()) {
          reauthenticated = true;
          continue; // the challenge round trip is not a failed attempt
        }
        // A second 401, after answering the challenge, means the login itself was refused.
        throw new RegistryException(action, 401, "UNAUTHORIZED", auth.hasLogin(registry)
            ? "the registry rejected the login" : "the registry requires a login: add one to the auth file, "
                + "or pass --src-creds / --dest-creds");
      }
      if (retry && status == 429) {
        Optional<Duration> after = response.header("Retry-After").flatMap(options.retry()::retryAfter);
        RegistryException failure = error(action, status, readError(response));
        if (retried(action, failure, attempts, () -> attempts.retryThrottled(after))) {
          continue;
        }
        RateLimitedException spent = budgets.spent(registry, failure.getMessage(), attempts.retryAt());
        spent.initCause(failure);
        throw spent;
      }
      if (retry && (status == 408 || status >= 500)) {
        RegistryException failure = error(action, status, readError(response));
        if (retried(action, failure, attempts, attempts::retryTransient)) {
          continue;
        }
        throw failure;
      }
      return response;
    }
  }

  /** A wait that may be cut short by an interrupt. */
  @FunctionalInterface
  private interface Wait {
    boolean waited() throws InterruptedException;
  }

  /** Whether to try again after {@code failure}, having waited as the policy says. */
  private static boolean retried(String action, RegistryException failure, RetryPolicy.Attempts attempts, Wait wait) {
    boolean again = pause(action, wait);
    if (again) {
      // DEBUG: a retry that works is no news, and one that fails ends in the error line (--debug shows them).
      LOG.get().debug("{}; retrying in {} ms", failure.getMessage(), attempts.lastWait().toMillis());
    }
    return again;
  }

  private static boolean pause(String action, Wait wait) {
    try {
      return wait.waited();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException(action, 0, "", "interrupted", e);
    }
  }

  /** A wait for a pull's turn, which throws {@link RateLimitedException} when the budget is spent. */
  @FunctionalInterface
  private interface PullTurn {
    void await(String registry) throws InterruptedException;
  }

  private static void pause(String action, PullTurn turn, String registry) {
    pause(action, () -> {
      turn.await(registry);
      return true;
    });
  }

  private static String connectionProblem(ImageReference repo, IOException e) {
    String host = repo.apiHost();
    // One walk down the causes: the deepest names the network problem, a TLS one says what TLS saw.
    Throwable root = e;
    javax.net.ssl.SSLException tls = e instanceof javax.net.ssl.SSLException ssl ? ssl : null;
    boolean untrusted = false;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
      if (tls == null && root instanceof javax.net.ssl.SSLException ssl) {
        tls = ssl;
      }
      untrusted |= root instanceof java.security.cert.CertificateException
          || root instanceof java.security.cert.CertPathBuilderException;
    }
    if (e instanceof Transport.ConnectTimeoutException) {
      return "cannot reach registry " + host + ": connection timed out";
    }
    if (e instanceof SocketTimeoutException) {
      return "registry " + host + " did not answer in time";
    }
    if (e instanceof ConnectException || root instanceof ConnectException) {
      return "cannot reach registry " + host + ": connection refused";
    }
    if (root instanceof NoRouteToHostException) {
      return "cannot reach registry " + host + ": no route to host";
    }
    if (root instanceof UnknownHostException) {
      return "cannot reach registry " + host + ": unknown host";
    }
    if (untrusted && tls != null) {
      return "TLS with " + host + " failed: its certificate is not trusted (" + tls.getMessage() + "); add its CA to "
          + "the JVM's trust store (-Djavax.net.ssl.trustStore=…), or pass --insecure-registry " + repo.registry()
          + " if it serves plain HTTP";
    }
    if (tls != null) {
      return "TLS with " + host + " failed: " + tls.getMessage()
          + " (if it serves plain HTTP, pass --insecure-registry " + repo.registry() + ")";
    }
    String message = e.getMessage() != null ? e.getMessage() : root.getClass().getSimpleName();
    return "connection to " + host + " failed: " + message;
  }

  /** The API base: plain HTTP for loopback and registries the user marked insecure, HTTPS otherwise. */
  public URI base(ImageReference repo) {
    return URI.create((plainHttpAllowed(repo.registry()) ? "http://" : "https://") + repo.apiHost() + "/");
  }

  /**
   * Whether {@code authority} ({@code host[:port]}) is reached over plain HTTP, and so whether a login
   * may travel there in clear: only a loopback host or one the user marked insecure ({@link #base}
   * and the redirect rule both ask this, so they never disagree).
   */
  boolean plainHttpAllowed(String authority) {
    if (authority == null) {
      return false;
    }
    String a = authority.toLowerCase(Locale.ROOT);
    int colon = a.lastIndexOf(':');
    String host = colon > a.lastIndexOf(']') ? a.substring(0, colon) : a;
    return Loopback.isLoopback(host) || options.insecureRegistries().contains(a) || options.insecureRegistries().contains(host);
  }

  /** Same scheme, host and port: the only place a redirect may take our login. */
  static boolean sameOrigin(URI origin, URI target) {
    return origin.getScheme().equalsIgnoreCase(target.getScheme())
        && origin.getHost() != null && origin.getHost().equalsIgnoreCase(target.getHost())
        && effectivePort(origin) == effectivePort(target);
  }

  private static int effectivePort(URI uri) {
    return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
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

  private static String contentType(Response response) {
    return response.header("Content-Type").orElse("");
  }

  /** Throws the registry's error unless the status is one of {@code ok}; the body is consumed then. */
  private static void expect(String action, Response response, int... ok) {
    for (int status : ok) {
      if (response.status() == status) {
        return;
      }
    }
    throw error(action, response.status(), readError(response));
  }

  private static byte[] read(String action, Response response, int limit) {
    try {
      return response.bytes(limit);
    } catch (IOException e) {
      throw new RegistryException(action, response.status(), "", "the answer broke off: " + e.getMessage(), e);
    }
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

  /** The spec's error JSON from a failed answer's body (which this consumes), or nothing when it has none. */
  private static ErrorBody readError(Response response) {
    byte[] bytes;
    try {
      bytes = response.bytes(MAX_ERROR_BYTES);
    } catch (IOException e) {
      return new ErrorBody("", "");
    }
    if (bytes.length == 0) {
      return new ErrorBody("", "");
    }
    try {
      JsonNode first = Json.readTree(bytes).path("errors").path(0);
      if (first.isObject()) {
        return new ErrorBody(first.path("code").asText(""), first.path("message").asText(""));
      }
    } catch (IOException e) {
      // Not the spec's error JSON (a proxy's HTML page, say): report the status alone.
    }
    return new ErrorBody("", "");
  }
}
