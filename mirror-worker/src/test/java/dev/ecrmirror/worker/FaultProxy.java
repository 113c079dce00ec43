package dev.ecrmirror.worker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * An HTTP/1.1 reverse proxy on loopback between the worker and a registry, which injects faults
 * on the requests a rule selects: error statuses, 429 with {@code Retry-After}, a connection reset
 * or a truncated body in the middle of a blob, a redirect of blob downloads to another host, or
 * ECR's refusal to overwrite a tag of an immutable repository. It can also answer some requests
 * itself, for an API the registry behind lacks (docker-registry 2.8 has no referrers API).
 * Every connection serves one request ({@code Connection: close}) so faults never leak between requests.
 */
final class FaultProxy implements AutoCloseable {

  /** What to do to a selected request. */
  enum Fault {
    STATUS_500, STATUS_503, STATUS_405, TOO_MANY_REQUESTS, RESET_MID_BODY, STALL_MID_BODY, TRUNCATE_MID_BODY, REDIRECT,
    SLOW_BODY, ANSWER_AFTER_1S,
    /** The Range header is dropped on the way: the registry answers 200 with the whole blob, as one without Range support. */
    IGNORE_RANGE,
    /**
     * A manifest PUT to a tag the registry already holds is refused as ECR refuses it in an
     * immutable repository (docker-registry has no immutable tags); a new tag passes through.
     */
    IMMUTABLE_TAG
  }

  /** Every manifest media type, so the existence check sees an index or list as well as an image. */
  private static final String MANIFEST_TYPES = String.join(",", "application/vnd.oci.image.index.v1+json",
      "application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json",
      "application/vnd.docker.distribution.manifest.v2+json");

  /** A request as the proxy saw it, and when ({@link System#nanoTime()}) its head arrived. */
  record Seen(String method, String path, Map<String, String> headers, String fault, long atNanos) {}

  private record Rule(Predicate<Seen> selects, Fault fault, AtomicInteger remaining) {}

  /** An answer the proxy gives itself, with status 200: its body, or null to pass the request on. */
  private record Answer(Predicate<Seen> selects, String contentType, java.util.function.Function<Seen, byte[]> body) {}

  private final List<Answer> answers = new CopyOnWriteArrayList<>();

  private final LoopbackAcceptor acceptor;
  private final URI upstream;
  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private volatile String redirectBase;
  private volatile String basicAuth;

  private FaultProxy(URI upstream) throws IOException {
    this.upstream = upstream;
    this.acceptor = LoopbackAcceptor.start(this::serve);
  }

  static FaultProxy start(URI upstream) throws IOException {
    return new FaultProxy(upstream);
  }

  String host() {
    return "127.0.0.1:" + acceptor.port();
  }

  /** Applies {@code fault} to the next {@code times} requests {@code selects} picks. */
  FaultProxy inject(Predicate<Seen> selects, Fault fault, int times) {
    rules.add(new Rule(selects, fault, new AtomicInteger(times)));
    return this;
  }

  /**
   * Answers the requests {@code selects} picks itself, 200 with {@code body}'s bytes of {@code contentType}
   * (a null body passes the request on); they are recorded like the others.
   */
  FaultProxy answer(Predicate<Seen> selects, String contentType, java.util.function.Function<Seen, byte[]> body) {
    answers.add(new Answer(selects, contentType, body));
    return this;
  }

  /** Where {@link Fault#REDIRECT} sends blob downloads: the same path on this base. */
  FaultProxy redirectTo(String base) {
    this.redirectBase = base;
    return this;
  }

  /** Makes the proxy demand this login (Basic) on every API request, as a private registry would. */
  FaultProxy requireLogin(String user, String password) {
    this.basicAuth = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    return this;
  }

  List<Seen> seen() {
    return List.copyOf(seen);
  }

  static Predicate<Seen> blobGet() {
    return s -> s.method().equals("GET") && s.path().contains("/blobs/sha256:");
  }

  static Predicate<Seen> blobPut() {
    return s -> s.method().equals("PUT") && s.path().contains("/blobs/uploads/");
  }

  static Predicate<Seen> manifestHead() {
    return s -> s.method().equals("HEAD") && s.path().contains("/manifests/");
  }

  static Predicate<Seen> manifestPut() {
    return s -> s.method().equals("PUT") && s.path().contains("/manifests/");
  }

  /** A manifest PUT by tag, not by digest: the push that moves a tag. */
  static Predicate<Seen> tagPut() {
    return s -> manifestPut().test(s) && !s.path().contains("/manifests/sha256:");
  }

  private void serve(Socket client) {
    try (client) {
      InputStream in = client.getInputStream();
      String head = readHead(in);
      if (head == null) {
        return;
      }
      String[] lines = head.split("\r\n");
      String[] requestLine = lines[0].split(" ");
      Map<String, String> headers = headers(lines);
      byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
      Seen request = new Seen(requestLine[0], requestLine[1], headers, null, System.nanoTime());
      OutputStream out = client.getOutputStream();
      if (basicAuth != null && !basicAuth.equals(headers.get("authorization"))) {
        seen.add(request);
        writeHead(out, "401 Unauthorized", Map.of("WWW-Authenticate", "Basic realm=\"fault-proxy\"", "Content-Length", "0"));
        return;
      }
      for (Answer answer : answers) {
        byte[] bytes = answer.selects().test(request) ? answer.body().apply(request) : null;
        if (bytes != null) {
          seen.add(request);
          writeHead(out, "200 OK", Map.of("Content-Type", answer.contentType(), "Content-Length", String.valueOf(bytes.length)));
          if (!request.method().equals("HEAD")) {
            out.write(bytes);
          }
          out.flush();
          return;
        }
      }
      Fault fault = pick(request);
      seen.add(new Seen(request.method(), request.path(), headers, fault == null ? null : fault.name(), request.atNanos()));
      if (fault == Fault.ANSWER_AFTER_1S) {
        Thread.sleep(1000);
      }
      if (fault == Fault.STATUS_500 || fault == Fault.STATUS_503) {
        writeError(out, fault == Fault.STATUS_500 ? "500 Internal Server Error" : "503 Service Unavailable", Map.of());
        return;
      }
      if (fault == Fault.STATUS_405) {
        writeError(out, "405 Method Not Allowed", Map.of());
        return;
      }
      if (fault == Fault.TOO_MANY_REQUESTS) {
        writeError(out, "429 Too Many Requests", Map.of("Retry-After", "1"));
        return;
      }
      if (fault == Fault.IMMUTABLE_TAG && tagExists(request.path())) {
        writeImmutableTag(out, request.path());
        return;
      }
      if (fault == Fault.REDIRECT) {
        writeHead(out, "307 Temporary Redirect", Map.of("Location", redirectBase + request.path(), "Content-Length", "0"));
        return;
      }
      forward(request, body, client, fault);
    } catch (IOException e) {
      // The client went away or was cut off on purpose.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Fault pick(Seen request) {
    for (Rule rule : rules) {
      if (rule.selects().test(request) && rule.remaining().getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        return rule.fault();
      }
    }
    return null;
  }

  private void forward(Seen request, byte[] body, Socket client, Fault fault) throws IOException {
    try (Socket up = new Socket(upstream.getHost(), upstream.getPort())) {
      OutputStream upOut = up.getOutputStream();
      StringBuilder head = new StringBuilder(request.method() + " " + request.path() + " HTTP/1.1\r\n");
      request.headers().forEach((k, v) -> {
        // Host passes through: the registry builds upload Locations from it, which must lead back here.
        if (!k.equals("connection") && !k.equals("authorization") && !(fault == Fault.IGNORE_RANGE && k.equals("range"))) {
          head.append(k).append(": ").append(v).append("\r\n");
        }
      });
      head.append("connection: close\r\n\r\n");
      upOut.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      upOut.write(body);
      upOut.flush();
      InputStream upIn = up.getInputStream();
      String responseHead = readHead(upIn);
      String[] lines = responseHead.split("\r\n");
      Map<String, String> headers = headers(lines);
      OutputStream out = client.getOutputStream();
      StringBuilder back = new StringBuilder(lines[0] + "\r\n");
      for (int i = 1; i < lines.length; i++) {
        if (!lines[i].toLowerCase(Locale.ROOT).startsWith("connection:")) {
          back.append(lines[i]).append("\r\n");
        }
      }
      back.append("Connection: close\r\n\r\n");
      out.write(back.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (request.method().equals("HEAD")) {
        out.flush();
        return;
      }
      long length = Long.parseLong(headers.getOrDefault("content-length", "-1"));
      boolean cuts = fault == Fault.RESET_MID_BODY || fault == Fault.TRUNCATE_MID_BODY || fault == Fault.STALL_MID_BODY;
      long cutAt = cuts && length > 1 ? length / 2 : Long.MAX_VALUE;
      byte[] buffer = new byte[16 * 1024];
      long sent = 0;
      int n;
      while ((n = upIn.read(buffer, 0, (int) Math.min(buffer.length, Math.max(1, cutAt - sent)))) > 0) {
        out.write(buffer, 0, n);
        sent += n;
        if (fault == Fault.SLOW_BODY) {
          out.flush();
          sleep(20);
        }
        if (sent >= cutAt) {
          out.flush();
          if (fault == Fault.STALL_MID_BODY) {
            // Keep the connection open and send nothing more: a dead peer that never says so.
            sleep(60_000);
            return;
          }
          if (fault == Fault.RESET_MID_BODY) {
            // Let the client read what was sent (an RST discards unread data), then reset.
            sleep(200);
            client.setSoLinger(true, 0); // close with RST, not FIN
          }
          return;
        }
      }
      out.flush();
    }
  }

  /** Whether the registry behind answers a HEAD of this manifest path (a tag it holds). */
  private boolean tagExists(String path) throws IOException, InterruptedException {
    HttpResponse<Void> head = HttpClient.newHttpClient().send(HttpRequest.newBuilder(upstream.resolve(path))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).header("Accept", MANIFEST_TYPES).build(),
        HttpResponse.BodyHandlers.discarding());
    return head.statusCode() == 200;
  }

  /**
   * ECR's answer to a manifest PUT that would move a tag of an immutable repository, as the Docker
   * client prints it: "tag invalid: The image tag 'latest' already exists in the 'app' repository
   * and cannot be overwritten because the repository is immutable." (HTTP 400, code TAG_INVALID).
   */
  private static void writeImmutableTag(OutputStream out, String path) throws IOException {
    // /v2/NAME/manifests/TAG
    String name = path.substring("/v2/".length(), path.lastIndexOf("/manifests/"));
    String tag = path.substring(path.lastIndexOf('/') + 1);
    byte[] body = ("{\"errors\":[{\"code\":\"TAG_INVALID\",\"message\":\"The image tag '" + tag + "' already exists in "
        + "the '" + name + "' repository and cannot be overwritten because the repository is immutable.\"}]}")
        .getBytes(StandardCharsets.UTF_8);
    writeHead(out, "400 Bad Request", Map.of("Content-Type", "application/json", "Content-Length", String.valueOf(body.length)));
    out.write(body);
    out.flush();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void writeError(OutputStream out, String status, Map<String, String> extra) throws IOException {
    byte[] body = "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"injected fault\"}]}".getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = new LinkedHashMap<>(extra);
    headers.put("Content-Type", "application/json");
    headers.put("Content-Length", String.valueOf(body.length));
    writeHead(out, status, headers);
    out.write(body);
    out.flush();
  }

  private static void writeHead(OutputStream out, String status, Map<String, String> headers) throws IOException {
    StringBuilder head = new StringBuilder("HTTP/1.1 " + status + "\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    head.append("Connection: close\r\n\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private static Map<String, String> headers(String[] lines) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
      }
    }
    return headers;
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
      if (matched == 4) {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  @Override
  public void close() {
    acceptor.close();
  }

  /** A copy of the recorded requests a predicate picks. */
  List<Seen> seen(Predicate<Seen> which) {
    List<Seen> out = new ArrayList<>();
    for (Seen s : seen) {
      if (which.test(s)) {
        out.add(s);
      }
    }
    return out;
  }
}
