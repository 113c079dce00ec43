package dev.ecrmirror.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.LocalRegistry;
import dev.ecrmirror.common.testing.TestImages;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A destination that serves HTTPS: a real docker-registry with a certificate made for the test,
 * reached by a host name that resolves to loopback (loopback addresses themselves are always plain
 * HTTP). The worker runs as its own process, so the trust store it is given is the one it uses.
 */
class TlsIT {
  private static final String HOST = "registry.test";
  private static final char[] PASSWORD = "changeit".toCharArray();

  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(1);

  @TempDir
  static Path dir;

  private static LocalRegistry tls;

  @BeforeAll
  static void startTlsRegistry() throws Exception {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Path keys = dir.resolve("registry.p12");
    Process gen = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "registry", "-keyalg", "EC",
        "-groupname", "secp256r1", "-dname", "CN=" + HOST, "-ext", "SAN=dns:" + HOST, "-validity", "2",
        "-keystore", keys.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true).start();
    String genOutput = new String(gen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(gen.waitFor(60, TimeUnit.SECONDS) && gen.exitValue() == 0).as(genOutput).isTrue();

    KeyStore store = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(keys)) {
      store.load(in, PASSWORD);
    }
    Certificate certificate = store.getCertificate("registry");
    Files.writeString(dir.resolve("cert.pem"), pem("CERTIFICATE", certificate.getEncoded()));
    Files.writeString(dir.resolve("key.pem"), pem("PRIVATE KEY", store.getKey("registry", PASSWORD).getEncoded()));

    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("registry", certificate);
    try (OutputStream out = Files.newOutputStream(dir.resolve("trust.p12"))) {
      trust.store(out, PASSWORD);
    }
    Files.writeString(dir.resolve("hosts"), "127.0.0.1 " + HOST + "\n");
    tls = LocalRegistry.startTls(dir.resolve("cert.pem"), dir.resolve("key.pem"));
  }

  @AfterAll
  static void stopTlsRegistry() {
    if (tls != null) {
      tls.close();
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  private record Result(int exit, String output) {}

  /** Runs the packaged worker with the test's host names, and the given extra JVM options. */
  private static Result worker(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
    Path jar = Path.of(System.getProperty("worker.jar", "target/mirror-worker.jar"));
    assertThat(jar).as("the packaged worker jar").exists();
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Djdk.net.hosts.file=" + dir.resolve("hosts"));
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the worker finished").isTrue();
      return new Result(process.exitValue(), output);
    } finally {
      process.destroyForcibly();
    }
  }

  private static String pushImage(String repo) {
    new TestImages(registries.get(0).baseUri(), 71).ociIndex(repo, "1", List.of("linux/amd64", "linux/arm64"), 2, 300_000);
    return registries.get(0).host() + "/" + repo + ":1";
  }

  @Test
  void copiesToARegistryWhoseCertificateTheJvmTrusts() throws Exception {
    String source = pushImage("tls/trusted");
    String destination = HOST + ":" + tls.port() + "/tls/trusted:1";
    List<String> trustStore = List.of("-Djavax.net.ssl.trustStore=" + dir.resolve("trust.p12"),
        "-Djavax.net.ssl.trustStorePassword=changeit");

    Result copy = worker(trustStore, source, destination);
    Result again = worker(trustStore, source, destination);

    assertThat(copy.exit()).as(copy.output()).isZero();
    assertThat(copy.output()).contains("copied      " + destination);
    assertThat(again.exit()).as(again.output()).isZero();
    assertThat(again.output()).as("read back over TLS").contains("in sync     " + destination);
  }

  @Test
  void refusesARegistryWhoseCertificateIsNotTrusted() throws Exception {
    String source = pushImage("tls/untrusted");
    String destination = HOST + ":" + tls.port() + "/tls/untrusted:1";

    Result copy = worker(List.of(), "--retry-times", "0", source, destination);

    assertThat(copy.exit()).isEqualTo(1);
    assertThat(copy.output()).contains("TLS with " + HOST + ":" + tls.port() + " failed: its certificate is not trusted")
        .contains("-Djavax.net.ssl.trustStore");
  }
}
