package dev.ecrmirror.common.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A tiny HTTP/1.1 server answering HTTPS and plain HTTP on the same loopback port: it looks at a
 * connection's first byte (0x16 opens a TLS handshake) and speaks TLS or not. It exists for what no
 * real server here does: a redirect from {@code https://host:port} to {@code http://host:port}, the
 * same origin but for the scheme. One request per connection; it records every request.
 */
public final class DualProtocolServer implements AutoCloseable {
  /** One request: whether it came over TLS, the request line's parts, and the headers (names lowercase). */
  public record Request(boolean tls, String method, String path, Map<String, String> headers) {}

  /** The answer: status, headers and body. */
  public record Response(int status, Map<String, String> headers, byte[] body) {}

  private final ServerSocket socket;
  private final SSLContext tls;
  private final Function<Request, Response> handler;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final ExecutorService threads = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().factory());

  private DualProtocolServer(SSLContext tls, Function<Request, Response> handler) throws IOException {
    this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.tls = tls;
    this.handler = handler;
    threads.execute(this::acceptLoop);
  }

  /** Starts a server; {@code tls} holds the certificate it presents to HTTPS clients, or is null for plain HTTP only. */
  public static DualProtocolServer start(SSLContext tls, Function<Request, Response> handler) throws IOException {
    return new DualProtocolServer(tls, handler);
  }

  public int port() {
    return socket.getLocalPort();
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      try {
        Socket s = socket.accept();
        threads.execute(() -> serve(s));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket plain) {
    try (plain) {
      int first = plain.getInputStream().read();
      if (first < 0) {
        return;
      }
      boolean isTls = first == 0x16;
      if (isTls && tls == null) {
        return; // a plain-HTTP server: a TLS client is hung up on at once, as a real one would fail it
      }
      Socket s = plain;
      InputStream in;
      if (isTls) {
        SSLSocket secure = (SSLSocket) tls.getSocketFactory().createSocket(plain,
            new ByteArrayInputStream(new byte[] {(byte) first}), true);
        s = secure;
        in = secure.getInputStream();
      } else {
        in = new java.io.SequenceInputStream(new ByteArrayInputStream(new byte[] {(byte) first}), plain.getInputStream());
      }
      String requestLine = line(in);
      Map<String, String> headers = new LinkedHashMap<>();
      for (String h = line(in); !h.isEmpty(); h = line(in)) {
        int colon = h.indexOf(':');
        headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
      }
      String[] parts = requestLine.split(" ");
      Request request = new Request(isTls, parts[0], parts[1], headers);
      requests.add(request);
      Response response = handler.apply(request);
      OutputStream out = s.getOutputStream();
      StringBuilder head = new StringBuilder("HTTP/1.1 " + response.status() + " X\r\n");
      response.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
      head.append("Content-Length: ").append(response.body().length).append("\r\nConnection: close\r\n\r\n");
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (!parts[0].equals("HEAD")) {
        out.write(response.body());
      }
      out.flush();
      if (s != plain) {
        s.close();
      }
    } catch (IOException | RuntimeException e) {
      // A client that gave up (or refused the certificate): nothing to answer.
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
      if (b != '\r') {
        bytes.write(b);
      }
    }
    return bytes.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
    threads.shutdownNow();
  }

  /** A server-side TLS context from a PKCS#12 key store (password {@code changeit}), as {@link TestCertificates} writes. */
  public static SSLContext serverContext(java.nio.file.Path keyStore) throws Exception {
    java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
    try (InputStream in = java.nio.file.Files.newInputStream(keyStore)) {
      keys.load(in, "changeit".toCharArray());
    }
    javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
        javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, "changeit".toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    return context;
  }

  /** The requests that came over plain HTTP. */
  public List<Request> plainRequests() {
    List<Request> out = new ArrayList<>();
    requests.forEach(r -> {
      if (!r.tls()) {
        out.add(r);
      }
    });
    return out;
  }
}
