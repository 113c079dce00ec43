package dev.ecrmirror.controller.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A loopback HTTP server for AWS JSON APIs where no emulator gives the answer a test needs
 * (each subclass says why moto cannot); subclasses answer each request.
 */
abstract class JsonStubServer implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;

  JsonStubServer() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext("/", this::dispatch);
    server.start();
  }

  /** A response: status and JSON body. */
  record Reply(int status, String body) {}

  abstract Reply answer(String method, String path, String target, JsonNode body);

  private void dispatch(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] in = exchange.getRequestBody().readAllBytes();
      JsonNode body = in.length == 0 ? JSON.createObjectNode() : JSON.readTree(in);
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      Reply reply;
      try {
        reply = answer(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), target, body);
      } catch (RuntimeException e) {
        reply = new Reply(500, "{\"__type\":\"ServerException\",\"message\":\"" + e + "\"}");
      }
      byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.getResponseHeaders().set("x-amzn-RequestId", "stub");
      if (reply.status() >= 400) {
        JsonNode parsed = JSON.readTree(out);
        exchange.getResponseHeaders().set("x-amzn-ErrorType", parsed.path("__type").asText());
      }
      exchange.sendResponseHeaders(reply.status(), out.length);
      try (OutputStream os = exchange.getResponseBody()) {
        os.write(out);
      }
    }
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
