package dev.ecrmirror.common.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.auth.Credential;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.testing.DualProtocolServer;
import dev.ecrmirror.common.testing.DualProtocolServer.Response;
import dev.ecrmirror.common.testing.TestCertificates;
import dev.ecrmirror.common.testing.TestHostsResolver;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry on HTTPS that redirects a blob download to plain HTTP on the same host and port: the
 * login must not follow. No real registry here redirects like that, so a small server that speaks
 * both protocols on one port stands in for it, and records what each request carried.
 */
class RedirectLoginTest {
  private static final byte[] BLOB = "layer bytes".getBytes(StandardCharsets.UTF_8);
  private static final Digest DIGEST = Digest.sha256(BLOB);
  private static final String HOST = TestHostsResolver.host("redirecting");

  @TempDir
  Path dir;

  @Test
  void aLoginNeverFollowsARedirectFromHttpsToHttpOnTheSameHostAndPort() throws Exception {
    TestCertificates.Issued cert = TestCertificates.server(dir.resolve("keys"), HOST);
    String login = Credential.basic("user", "secret").basicHeader();
    int[] port = new int[1];
    try (DualProtocolServer server = DualProtocolServer.start(DualProtocolServer.serverContext(cert.keyStore()), r -> {
      if (!r.tls()) {
        return new Response(200, Map.of("Content-Type", "application/octet-stream"), BLOB);
      }
      if (!login.equals(r.headers().get("authorization"))) {
        return new Response(401, Map.of("WWW-Authenticate", "Basic realm=\"stub\""), new byte[0]);
      }
      return new Response(307, Map.of("Location", "http://" + HOST + ":" + port[0] + "/storage/blob"), new byte[0]);
    })) {
      port[0] = server.port();
      Path certsD = dir.resolve("certs.d");
      Files.createDirectories(certsD.resolve(HOST + ":" + server.port()));
      Files.copy(cert.certificate(), certsD.resolve(HOST + ":" + server.port()).resolve("ca.crt"));
      RegistryClient client = new RegistryClient(RegistryOptions.defaults()
          .withTls(RegistryTls.fromDirectories(List.of(certsD)))
          .withCredentials(r -> Optional.of(Credential.basic("user", "secret")))
          .withRetryTimes(0).withInitialBackoff(Duration.ofMillis(1)));

      byte[] read;
      try (InputStream in = client.openBlob(ImageReference.parse(HOST + ":" + server.port() + "/app"), DIGEST, 0).body()) {
        read = in.readAllBytes();
      }

      assertThat(read).isEqualTo(BLOB);
      assertThat(server.requests()).filteredOn(DualProtocolServer.Request::tls)
          .as("the login went to the HTTPS origin").anyMatch(r -> login.equals(r.headers().get("authorization")));
      assertThat(server.plainRequests()).as("requests over plain HTTP").hasSize(1)
          .allSatisfy(r -> assertThat(r.headers()).doesNotContainKey("authorization"));
    }
  }

  @Test
  void originsDifferByScheme() {
    assertThat(RegistryClient.sameOrigin(java.net.URI.create("https://r.test/a"), java.net.URI.create("https://r.test:443/b"))).isTrue();
    assertThat(RegistryClient.sameOrigin(java.net.URI.create("https://r.test/a"), java.net.URI.create("http://r.test/b"))).isFalse();
    assertThat(RegistryClient.sameOrigin(java.net.URI.create("https://r.test:5000/a"), java.net.URI.create("http://r.test:5000/b"))).isFalse();
    assertThat(RegistryClient.sameOrigin(java.net.URI.create("https://r.test/a"), java.net.URI.create("https://s3.test/b"))).isFalse();
  }
}
