package dev.ecrmirror.common.registry;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 exchange at a time, blocking, on {@link HttpURLConnection}: the JDK's own client,
 * kept-alive connections, TLS verified by the JDK's trust store. Blocking I/O keeps a blob's bytes
 * on one short path (socket, caller's array, socket) with little code for the JIT to compile and
 * no TLS set-up for plain-HTTP registries. A host with a {@code certs.d} directory gets its own TLS
 * context ({@link RegistryTls}); the others the JVM's. Redirects are never followed here: the
 * registry client decides which headers go to another host.
 *
 * <p>{@code HttpURLConnection} cannot send PATCH, which only the chunked-upload fallback needs:
 * that one request goes through {@code java.net.http}, built on first use.
 */
final class Transport {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);

  static {
    // Idle kept-alive connections per host: the JDK keeps 5, fewer than the ranges of one large blob
    // in flight (and the blob transfers around them), so the rest would be closed and opened again,
    // paying TCP and TLS set-up per range. Set before the first connection; a user's value stands.
    if (System.getProperty("http.maxConnections") == null) {
      System.setProperty("http.maxConnections", "32");
    }
  }

  /**
   * @param length the body's length in bytes; -1 with no body
   * @param readTimeout how long any one read of the answer may wait for bytes
   */
  record Request(String method, URI uri, Map<String, String> headers, long length, RegistryClient.BlobBody body, Duration readTimeout) {
    static Request of(String method, URI uri, Map<String, String> headers, Duration readTimeout) {
      return new Request(method, uri, headers, -1, null, readTimeout);
    }

    static Request withBytes(String method, URI uri, Map<String, String> headers, byte[] bytes, Duration readTimeout) {
      return new Request(method, uri, headers, bytes.length, out -> out.write(bytes), readTimeout);
    }
  }

  /** A connection timed out before the request could be sent (not a slow answer). */
  static final class ConnectTimeoutException extends SocketTimeoutException {
    private static final long serialVersionUID = 1L;

    ConnectTimeoutException(String message) {
      super(message);
    }
  }

  /** An answer: status and headers, and a body to read or discard. Closing it frees the connection. */
  static final class Response implements Closeable {
    private final int status;
    private final Function<String, Optional<String>> headers;
    private final InputStream body;
    private final Runnable abort;

    Response(int status, Function<String, Optional<String>> headers, InputStream body, Runnable abort) {
      this.status = status;
      this.headers = headers;
      this.body = body;
      this.abort = abort;
    }

    int status() {
      return status;
    }

    Optional<String> header(String name) {
      return headers.apply(name);
    }

    OptionalLong longHeader(String name) {
      Optional<String> value = header(name);
      if (value.isEmpty()) {
        return OptionalLong.empty();
      }
      try {
        return OptionalLong.of(Long.parseLong(value.get().trim()));
      } catch (NumberFormatException e) {
        return OptionalLong.empty();
      }
    }

    /** The body as a stream; the caller reads it and closes the response. */
    InputStream body() {
      return body;
    }

    /** Reads the body (up to {@code limit} bytes) and frees the connection. */
    byte[] bytes(int limit) throws IOException {
      try (this) {
        return body.readNBytes(limit);
      }
    }

    /** Reads and drops what is left of a small body, so the connection can be used again. */
    void discard() {
      try (this) {
        body.transferTo(OutputStream.nullOutputStream());
      } catch (IOException | RuntimeException e) {
        abort();
      }
    }

    /** Drops the connection: nothing more is read from it or written to it. */
    void abort() {
      abort.run();
    }

    @Override
    public void close() {
      try {
        body.close();
      } catch (IOException e) {
        abort();
      }
    }
  }

  private final RegistryTls tls;
  private final Map<String, SSLSocketFactory> socketFactories = new ConcurrentHashMap<>();
  private final Map<String, HttpClient> patchClients = new ConcurrentHashMap<>();

  /** With the JVM's TLS defaults for every host. */
  Transport() {
    this(RegistryTls.jvmDefaults());
  }

  Transport(RegistryTls tls) {
    this.tls = tls;
  }

  /**
   * Sends the request and reads the status line and headers. A failure to write the body (the
   * body writer threw, or the server hung up) drops the connection, so a body shorter than the
   * length the request declared is never taken for a whole one.
   */
  Response exchange(Request request) throws IOException {
    if (request.method().equals("PATCH")) {
      return viaHttpClient(request);
    }
    HttpURLConnection c = (HttpURLConnection) request.uri().toURL().openConnection();
    if (c instanceof HttpsURLConnection https) {
      https.setSSLSocketFactory(socketFactory(request.uri().getAuthority()));
    }
    try {
      c.setInstanceFollowRedirects(false);
      c.setUseCaches(false);
      c.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
      c.setReadTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, request.readTimeout().toMillis())));
      c.setRequestMethod(request.method());
      c.setRequestProperty("Accept", "*/*");
      request.headers().forEach(c::setRequestProperty);
      if (request.body() != null) {
        c.setDoOutput(true);
        c.setFixedLengthStreamingMode(request.length());
      }
      try {
        c.connect();
      } catch (SocketTimeoutException e) {
        throw new ConnectTimeoutException("connect timed out");
      }
      if (request.body() != null) {
        request.body().abortWith(c::disconnect);
        try (OutputStream out = c.getOutputStream()) {
          request.body().writeTo(out);
        }
      }
      int status = c.getResponseCode();
      if (status < 0) {
        throw new IOException("the answer is not HTTP");
      }
      InputStream body = status < 400 ? c.getInputStream() : c.getErrorStream();
      return new Response(status, name -> Optional.ofNullable(c.getHeaderField(name)),
          body != null ? body : InputStream.nullInputStream(), c::disconnect);
    } catch (IOException | RuntimeException | Error e) {
      c.disconnect();
      throw e;
    }
  }

  /**
   * PATCH through {@code java.net.http}, the body piped from its writer on a thread of its own. The
   * body's abort cancels the exchange; once the body is written, the answer must come within the
   * request's read timeout.
   */
  private Response viaHttpClient(Request request) throws IOException {
    PipedInputStream in = new PipedInputStream(256 * 1024);
    PipedOutputStream out = new PipedOutputStream(in);
    HttpRequest.Builder b = HttpRequest.newBuilder(request.uri())
        .method(request.method(), HttpRequest.BodyPublishers.fromPublisher(
            HttpRequest.BodyPublishers.ofInputStream(() -> in), request.length()));
    request.headers().forEach(b::header);
    CompletableFuture<HttpResponse<InputStream>> answer =
        patchClient(request.uri().getAuthority()).sendAsync(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    request.body().abortWith(() -> answer.cancel(true));
    Thread writer = Thread.ofPlatform().daemon().name("patch-body").start(() -> {
      try (out) {
        request.body().writeTo(out);
      } catch (IOException e) {
        // The reader sees fewer bytes than declared, and the client fails the request.
      }
    });
    try {
      // A request that fails before taking the whole body leaves the writer blocked on the pipe.
      while (writer.isAlive() && !answer.isDone()) {
        writer.join(100);
      }
      HttpResponse<InputStream> response = answer.get(request.readTimeout().toMillis(), TimeUnit.MILLISECONDS);
      InputStream body = response.body();
      return new Response(response.statusCode(), response.headers()::firstValue, body, () -> {
        try {
          body.close();
        } catch (IOException e) {
          // Closing a dropped connection's stream has nothing left to report.
        }
      });
    } catch (TimeoutException e) {
      answer.cancel(true);
      throw new SocketTimeoutException("no answer within " + request.readTimeout().toSeconds() + " s");
    } catch (CancellationException e) {
      throw new IOException("the upload was dropped", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } catch (InterruptedException e) {
      answer.cancel(true);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } finally {
      writer.interrupt();
    }
  }

  /**
   * The JDK's TLS sockets with {@code SO_LINGER} 0. Dropping a stalled upload closes its socket from
   * another thread; without this, TLS first tries to send its closing message, which waits behind
   * the blocked write for ever. With it, the close resets the connection at once.
   */
  private static final class ResetOnClose extends SSLSocketFactory {
    static final SSLSocketFactory FACTORY = new ResetOnClose(HttpsURLConnection.getDefaultSSLSocketFactory());

    private final SSLSocketFactory tls;

    ResetOnClose(SSLSocketFactory tls) {
      this.tls = tls;
    }

    private static Socket reset(Socket socket) throws SocketException {
      socket.setSoLinger(true, 0);
      return socket;
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return tls.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return tls.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
      return reset(tls.createSocket());
    }

    @Override
    public Socket createSocket(Socket plain, String host, int port, boolean autoClose) throws IOException {
      reset(plain);
      return reset(tls.createSocket(plain, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return reset(tls.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return reset(tls.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return reset(tls.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
      return reset(tls.createSocket(address, port, localAddress, localPort));
    }
  }

  /**
   * The host's TLS sockets: its certs.d context if it has one, else the JVM's. Made once per host
   * and kept: the JDK takes a kept-alive connection again only for the same socket factory, and
   * resumes a TLS session only from the same context's cache.
   */
  private SSLSocketFactory socketFactory(String authority) throws IOException {
    SSLSocketFactory known = socketFactories.get(authority);
    if (known != null) {
      return known;
    }
    Optional<SSLContext> context = tls.contextFor(authority);
    SSLSocketFactory factory = context.<SSLSocketFactory>map(c -> new ResetOnClose(c.getSocketFactory()))
        .orElse(ResetOnClose.FACTORY);
    socketFactories.putIfAbsent(authority, factory);
    return factory;
  }

  private HttpClient patchClient(String authority) throws IOException {
    HttpClient known = patchClients.get(authority);
    if (known != null) {
      return known;
    }
    HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER);
    tls.contextFor(authority).ifPresent(b::sslContext);
    return patchClients.computeIfAbsent(authority, a -> b.build());
  }
}
