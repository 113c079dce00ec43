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
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code docker-registry} process on a random loopback port, with its storage in a
 * temporary directory; {@link #close()} stops it and deletes the storage.
 */
public final class LocalRegistry implements AutoCloseable {
  private static final String BINARY = System.getenv().getOrDefault("DOCKER_REGISTRY_BIN", "docker-registry");

  private final Process process;
  private final Path dir;
  private final int port;
  private final boolean tls;

  private LocalRegistry(Process process, Path dir, int port, boolean tls) {
    this.process = process;
    this.dir = dir;
    this.port = port;
    this.tls = tls;
  }

  /** Starts a registry and waits until {@code /v2/} answers. */
  public static LocalRegistry start() throws IOException, InterruptedException {
    return new Options().start();
  }

  /**
   * Starts a registry that serves HTTPS with the given PEM certificate and PKCS#8 key, and waits
   * until its port takes connections (whether a client trusts the certificate is the test's business).
   */
  public static LocalRegistry startTls(Path certificate, Path key) throws IOException, InterruptedException {
    return new Options().tls(certificate, key).start();
  }

  /** A registry with more set up than {@link #start()}: TLS, client-certificate checks, logins. */
  public static Options options() {
    return new Options();
  }

  /** What a registry is started with. */
  public static final class Options {
    private Path certificate;
    private Path key;
    private Path clientCa;
    private Path htpasswd;

    /** Serve HTTPS with this PEM certificate and PKCS#8 key. */
    public Options tls(Path certificate, Path key) {
      this.certificate = certificate;
      this.key = key;
      return this;
    }

    /** Demand a client certificate issued by this PEM CA ({@code http.tls.clientcas}); needs {@link #tls}. */
    public Options clientCa(Path ca) {
      this.clientCa = ca;
      return this;
    }

    /** Demand a login from this htpasswd file (bcrypt entries only, as docker-registry reads). */
    public Options htpasswd(Path file) {
      this.htpasswd = file;
      return this;
    }

    public LocalRegistry start() throws IOException, InterruptedException {
      return LocalRegistry.start(this);
    }
  }

  private static LocalRegistry start(Options o) throws IOException, InterruptedException {
    Path certificate = o.certificate;
    Path key = o.key;
    IOException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      Path dir = Files.createTempDirectory("local-registry");
      int port = freePort();
      Files.writeString(dir.resolve("config.yml"), """
          version: 0.1
          log:
            level: error
            accesslog:
              disabled: true
          storage:
            filesystem:
              rootdirectory: %s
            delete:
              enabled: true
          http:
            addr: 127.0.0.1:%d
            secret: local-test-secret
          """.formatted(dir.resolve("data"), port) + (certificate == null ? "" : """
            tls:
              certificate: %s
              key: %s
          """.formatted(certificate, key)) + (o.clientCa == null ? "" : """
              clientcas:
                - %s
          """.formatted(o.clientCa)) + (o.htpasswd == null ? "" : """
          auth:
            htpasswd:
              realm: local-test
              path: %s
          """.formatted(o.htpasswd)));
      Process process = new ProcessBuilder(BINARY, "serve", dir.resolve("config.yml").toString())
          .redirectErrorStream(true)
          .redirectOutput(dir.resolve("registry.log").toFile())
          .start();
      LocalRegistry registry = new LocalRegistry(process, dir, port, certificate != null);
      if (registry.awaitReady()) {
        return registry;
      }
      last = new IOException("docker-registry did not come up on port " + port + ": "
          + Files.readString(dir.resolve("registry.log")));
      registry.close();
    }
    throw last;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private boolean awaitReady() throws InterruptedException {
    if (tls) {
      return awaitListening();
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline && process.isAlive()) {
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://" + host() + "/v2/")).build(),
            HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200 || r.statusCode() == 401) {
          return true; // 401: up, and asking for the login it was configured with
        }
      } catch (IOException e) {
        // Not listening yet.
      }
      Thread.sleep(50);
    }
    return false;
  }

  private boolean awaitListening() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline && process.isAlive()) {
      try (java.net.Socket probe = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
        return true;
      } catch (IOException e) {
        Thread.sleep(50); // not listening yet
      }
    }
    return false;
  }

  /** {@code 127.0.0.1:PORT}, the registry part of references into it. */
  public String host() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /**
   * The registry's storage root (its filesystem driver's directory): a test can see there whether
   * anything was written, since every manifest or blob push rewrites files under it.
   */
  public Path storage() {
    return dir.resolve("data");
  }

  /** {@code http://127.0.0.1:PORT}. */
  public URI baseUri() {
    return URI.create("http://" + host());
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temp directory left behind is harmless.
    }
  }
}
