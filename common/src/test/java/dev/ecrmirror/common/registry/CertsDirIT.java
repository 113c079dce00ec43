package dev.ecrmirror.common.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.testing.LocalRegistry;
import dev.ecrmirror.common.testing.TestCertificates;
import dev.ecrmirror.common.testing.TestHostsResolver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-registry certificates from docker's certs.d layout, against a real docker-registry serving
 * HTTPS under a test host name: its CA trusted without touching the JVM's trust store, and a client
 * certificate presented to a registry that demands one.
 */
class CertsDirIT {
  private static final String HOST = TestHostsResolver.host("certs");
  private static final byte[] BLOB = "a blob over TLS".getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path dir;

  private static RegistryClient client(List<Path> certsDirs) {
    return new RegistryClient(RegistryOptions.defaults().withTls(RegistryTls.fromDirectories(certsDirs))
        .withRetryTimes(0).withInitialBackoff(Duration.ofMillis(1)));
  }

  private static void uploadAndCheck(RegistryClient client, ImageReference repo) {
    Digest digest = Digest.sha256(BLOB);
    client.uploadBlob(repo, digest, BLOB.length, out -> out.write(BLOB));
    assertThat(client.blobExists(repo, digest)).isTrue();
  }

  private Path hostDir(Path certsD, int port) throws Exception {
    return Files.createDirectories(certsD.resolve(HOST + ":" + port));
  }

  @Test
  void aRegistryIsTrustedThroughItsCaInCertsD() throws Exception {
    TestCertificates.Issued server = TestCertificates.server(dir.resolve("keys"), HOST);
    try (LocalRegistry registry = LocalRegistry.startTls(server.certificate(), server.key())) {
      ImageReference repo = ImageReference.parse(HOST + ":" + registry.port() + "/certs/app");
      Path empty = Files.createDirectories(dir.resolve("empty"));
      Path certsD = dir.resolve("certs.d");
      Files.copy(server.certificate(), hostDir(certsD, registry.port()).resolve("ca.crt"));

      assertThatThrownBy(() -> client(List.of(empty)).blobExists(repo, Digest.sha256(BLOB)))
          .as("without certs.d the JVM does not trust it").hasMessageContaining("certificate is not trusted");
      uploadAndCheck(client(List.of(empty, certsD)), repo);
    }
  }

  @Test
  void aClientCertificateInCertsDIsPresentedToARegistryThatDemandsOne() throws Exception {
    TestCertificates.Issued server = TestCertificates.server(dir.resolve("keys"), HOST);
    TestCertificates.Issued client = TestCertificates.client(dir.resolve("keys"), "mirror-client");
    try (LocalRegistry registry = LocalRegistry.options().tls(server.certificate(), server.key())
        .clientCa(client.certificate()).start()) {
      ImageReference repo = ImageReference.parse(HOST + ":" + registry.port() + "/mtls/app");
      Path caOnly = dir.resolve("ca-only");
      Files.copy(server.certificate(), hostDir(caOnly, registry.port()).resolve("ca.crt"));
      Path withClient = dir.resolve("with-client");
      Path host = hostDir(withClient, registry.port());
      Files.copy(server.certificate(), host.resolve("ca.crt"));
      Files.copy(client.certificate(), host.resolve("client.cert"));
      Files.copy(client.key(), host.resolve("client.key"));

      assertThatThrownBy(() -> client(List.of(caOnly)).blobExists(repo, Digest.sha256(BLOB)))
          .as("no client certificate: the registry ends the handshake").hasMessageContaining(HOST);
      uploadAndCheck(client(List.of(withClient)), repo);
    }
  }

  @Test
  void aBrokenFileInCertsDIsNamed() throws Exception {
    Path certsD = dir.resolve("certs.d");
    Files.writeString(Files.createDirectories(certsD.resolve(HOST + ":1")).resolve("ca.crt"), "not a certificate");

    assertThatThrownBy(() -> client(List.of(certsD)).blobExists(ImageReference.parse(HOST + ":1/x"), Digest.sha256(BLOB)))
        .hasMessageContaining("ca.crt").hasMessageContaining("not a PEM certificate");
  }
}
