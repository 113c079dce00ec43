package dev.ecrmirror.common.testing;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A small HTTP server on a random loopback port for APIs that have no local implementation (the
 * ECR API, token services, Batch). It records every request so a test can assert what was sent.
 */
public final class StubHttpServer implements AutoCloseable {

  /** One received request. */
  public record Request(String method, URI uri, Headers headers, byte[] body) {
    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public String header(String name) {
      return headers.getFirst(name);
    }
  }

  /** The answer to send. */
  public record Response(int status, Map<String, String> headers, byte[] body) {
    public static Response of(int status, String contentType, String body) {
      return new Response(status, contentType == null ? Map.of() : Map.of("Content-Type", contentType),
          body.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Decides the answer to a request. */
  @FunctionalInterface
  public interface Handler {
    Response handle(Request request) throws Exception;
  }

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  private StubHttpServer(HttpServer server) {
    this.server = server;
  }

  /** Starts a server answering every path with {@code handler}. */
  public static StubHttpServer start(Handler handler) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    StubHttpServer stub = new StubHttpServer(server);
    server.createContext("/", exchange -> {
      try (exchange) {
        Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI(),
            exchange.getRequestHeaders(), exchange.getRequestBody().readAllBytes());
        stub.requests.add(request);
        Response response;
        try {
          response = handler.handle(request);
        } catch (Exception e) {
          response = Response.of(500, "text/plain", "stub handler failed: " + e);
        }
        response.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        boolean noBody = request.method().equals("HEAD") || response.body().length == 0;
        exchange.sendResponseHeaders(response.status(), noBody ? -1 : response.body().length);
        if (!noBody) {
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(response.body());
          }
        }
      }
    });
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
    return stub;
  }

  /** {@code http://127.0.0.1:PORT}. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** {@code 127.0.0.1:PORT}. */
  public String host() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** Every request received so far, in order. */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
