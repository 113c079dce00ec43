package dev.ecrmirror.common.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecrmirror.common.Json;
import dev.ecrmirror.common.LazyLogger;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.Transport.Request;
import dev.ecrmirror.common.registry.Transport.Response;
import dev.ecrmirror.common.retry.RetryPolicy;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The exchange under every registry action: the login a request's scopes need, one answered auth
 * challenge, retries with backoff, the pull budget, the API's URIs, and the spec's error bodies.
 */
final class RegistryCalls {
  // Logged as the client: the name users filter on, and see under --debug.
  private static final LazyLogger LOG = LazyLogger.of(RegistryClient.class);
  /** How long a small request (a manifest, a check, a listing) may wait for its answer. */
  static final Duration MANIFEST_TIMEOUT = Duration.ofSeconds(60);
  static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
  private static final int MAX_ERROR_BYTES = 64 * 1024;

  private final Transport transport;
  private final RegistryOptions options;
  private final Authenticator auth;
  private final PullBudgets budgets;

  RegistryCalls(RegistryOptions options) {
    this.options = options;
    this.transport = new Transport(options.tls());
    this.budgets = new PullBudgets(options.pullReserve(), options.retry().clock(), options.retry().sleeper());
    this.auth = new Authenticator(transport, options.credentials(), options.userAgent(), this::plainHttpAllowed);
  }
  /** Per registry that sent a {@code ratelimit-remaining} header, the lowest count it reported. */
  Map<String, Long> lowestReported() {
    return budgets.lowestReported();
  }


  RetryPolicy retry() {
    return options.retry();
  }


  /**
   * Sends a request with the login its scopes need, answering one auth challenge and, when
   * {@code retry}, retrying 408, 5xx and broken connections {@code --retry-times} times and 429 for
   * the throttle budget (a 429 that outlives it spends the registry's pull budget). The caller
   * reads or discards the body.
   */
  Response send(String action, ImageReference repo, List<String> scopes, boolean retry,
      Supplier<Request> request) {
    return send(action, repo, scopes, retry, false, request);
  }

  /** As above; {@code pull}: the request counts against the registry's pull budget (a manifest GET). */
  Response send(String action, ImageReference repo, List<String> scopes, boolean retry, boolean pull,
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
  interface Wait {
    boolean waited() throws InterruptedException;
  }

  /** Whether to try again after {@code failure}, having waited as the policy says. */
  static boolean retried(String action, RegistryException failure, RetryPolicy.Attempts attempts, Wait wait) {
    boolean again = pause(action, wait);
    if (again) {
      // DEBUG: a retry that works is no news, and one that fails ends in the error line (--debug shows them).
      LOG.get().debug("{}; retrying in {} ms", failure.getMessage(), attempts.lastWait().toMillis());
    }
    return again;
  }

  static boolean pause(String action, Wait wait) {
    try {
      return wait.waited();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException(action, 0, "", "interrupted", e);
    }
  }

  /** A wait for a pull's turn, which throws {@link RateLimitedException} when the budget is spent. */
  @FunctionalInterface
  interface PullTurn {
    void await(String registry) throws InterruptedException;
  }

  static void pause(String action, PullTurn turn, String registry) {
    pause(action, () -> {
      turn.await(registry);
      return true;
    });
  }

  static String connectionProblem(ImageReference repo, IOException e) {
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
  URI base(ImageReference repo) {
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

  static int effectivePort(URI uri) {
    return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  URI manifestUri(ImageReference repo, String reference) {
    return base(repo).resolve("/v2/" + repo.repository() + "/manifests/" + reference);
  }

  URI blobUri(ImageReference repo, Digest digest) {
    return base(repo).resolve("/v2/" + repo.repository() + "/blobs/" + digest);
  }

  static List<String> pull(ImageReference repo) {
    return List.of(scope(repo, "pull"));
  }

  static List<String> push(ImageReference repo) {
    return List.of(scope(repo, "pull,push"));
  }

  static String scope(ImageReference repo, String actions) {
    return "repository:" + repo.repository() + ":" + actions;
  }

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  static String contentType(Response response) {
    return response.header("Content-Type").orElse("");
  }

  /** Throws the registry's error unless the status is one of {@code ok}; the body is consumed then. */
  static void expect(String action, Response response, int... ok) {
    for (int status : ok) {
      if (response.status() == status) {
        return;
      }
    }
    throw error(action, response.status(), readError(response));
  }

  static byte[] read(String action, Response response, int limit) {
    try {
      return response.bytes(limit);
    } catch (IOException e) {
      throw new RegistryException(action, response.status(), "", "the answer broke off: " + e.getMessage(), e);
    }
  }

  record ErrorBody(String code, String message) {}

  static RegistryException error(String action, int status, ErrorBody body) {
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
  static ErrorBody readError(Response response) {
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
