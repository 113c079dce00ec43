package dev.ecrmirror.images;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.manifest.Platform;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryOptions;
import dev.ecrmirror.common.registry.RegistryTls;
import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.LocalRegistry;
import dev.ecrmirror.common.testing.RegistryContents;
import dev.ecrmirror.common.testing.DualProtocolServer;
import dev.ecrmirror.common.testing.TestCertificates;
import dev.ecrmirror.common.testing.TestHostsResolver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A build that involves a loopback registry and an HTTPS one keeps TLS verification for the HTTPS
 * one, and sends no login over plain HTTP to a registry not marked insecure. The HTTPS registry is a
 * real docker-registry with a certificate made for the test, reached by a {@code .test} name that
 * resolves to loopback (so it is not a loopback host to the client).
 */
class ImagesTlsIT {
  private static final String TLS_HOST = TestHostsResolver.host("images-tls");

  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(1);

  @TempDir
  static Path work;

  static LocalRegistry tls;
  static TestCertificates.Issued certificate;
  static String plainHost;
  static Path workerJar;
  static Path controllerJar;

  @BeforeAll
  static void start() throws Exception {
    plainHost = registries.get(0).host();
    new FakeBase(registries.get(0).baseUri()).index("base/java", "21", List.of("linux/amd64", "linux/arm64"));
    certificate = TestCertificates.server(work.resolve("keys"), TLS_HOST);
    tls = LocalRegistry.startTls(certificate.certificate(), certificate.key());
    workerJar = Fixtures.jarOrStandIn("worker.jar", work.resolve("jars"), "mirror-worker.jar");
    controllerJar = Fixtures.jarOrStandIn("controller.jar", work.resolve("jars"), "controller.jar");
  }

  @AfterAll
  static void stop() {
    if (tls != null) {
      tls.close();
    }
  }

  private static Path certsD() throws Exception {
    Path dir = work.resolve("certs.d");
    Path host = Files.createDirectories(dir.resolve(TLS_HOST + ":" + tls.port()));
    if (!Files.exists(host.resolve("ca.crt"))) {
      Files.copy(certificate.certificate(), host.resolve("ca.crt"));
    }
    return dir;
  }

  private static Fixtures.Run build(String base, String to, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("--base", base, "--to", to, "--worker-jar", workerJar.toString(),
        "--controller-jar", controllerJar.toString(), "--retry-times", "0", "--platform", "linux/amd64",
        "--cache-dir", work.resolve("cache").toString()));
    args.addAll(List.of(more));
    return Fixtures.run(work, args.toArray(String[]::new));
  }

  @Test
  void anUntrustedHttpsTargetIsRefusedWhenTheBaseIsOnLoopback() {
    Fixtures.Run run = build(plainHost + "/base/java:21", TLS_HOST + ":" + tls.port() + "/refused");

    assertThat(run.exit()).as(run.err()).isEqualTo(1);
    assertThat(run.err()).contains("TLS with " + TLS_HOST + ":" + tls.port() + " failed: its certificate is not trusted");
  }

  @Test
  void anHttpsBaseIsVerifiedWhenTheTargetIsOnLoopback() throws Exception {
    // The base is put on the HTTPS registry through the client, trusting it by certs.d.
    RegistryClient trusting = new RegistryClient(RegistryOptions.defaults().withTls(RegistryTls.fromDirectories(List.of(certsD()))));
    BaseImage local = BaseImage.inspect(trusting, ImageReference.parse(plainHost + "/base/java:21"));
    ImageReference onTls = BaseRelay.copy(trusting, local, List.of(new Platform("linux", "amd64", "")),
        ImageReference.parse(TLS_HOST + ":" + tls.port() + "/base/java:21"));

    Fixtures.Run untrusted = build(onTls.toString(), plainHost + "/from-tls-untrusted");
    Fixtures.Run trusted = build(onTls.toString(), plainHost + "/from-tls", "--certs-dir", certsD().toString());

    assertThat(untrusted.exit()).as(untrusted.err()).isEqualTo(1);
    assertThat(untrusted.err()).contains("its certificate is not trusted");
    assertThat(RegistryContents.manifest(registries.get(0).baseUri(), "from-tls-untrusted/mirror-worker", "0.1.0")).isEmpty();
    assertThat(trusted.exit()).as(trusted.err()).isZero();
    assertThat(RegistryContents.manifest(registries.get(0).baseUri(), "from-tls/mirror-worker", "0.1.0")).isPresent();
  }

  @Test
  void noLoginGoesOverPlainHttpToARegistryNotMarkedInsecure() throws Exception {
    // A plain-HTTP registry under a name, not marked insecure: a stub, since what matters is what it
    // receives, and docker-registry keeps no record of request headers. It hangs up on TLS at once.
    try (DualProtocolServer plain = DualProtocolServer.start(null, r -> new DualProtocolServer.Response(401,
        Map.of("WWW-Authenticate", "Basic realm=\"stub\""), new byte[0]))) {
      String name = TestHostsResolver.host("plain") + ":" + plain.port();
      String auth = Base64.getEncoder().encodeToString("ci:Secret-Pa55".getBytes(StandardCharsets.UTF_8));
      Path authFile = Files.writeString(work.resolve("auth.json"), "{\"auths\":{\"" + name + "\":{\"auth\":\"" + auth
          + "\"},\"" + plainHost + "\":{\"auth\":\"" + auth + "\"}}}");

      Fixtures.Run run = build(plainHost + "/base/java:21", name + "/ecr-mirror", "--auth-file", authFile.toString());

      assertThat(run.exit()).as(run.err()).isEqualTo(1);
      assertThat(run.err()).contains("TLS with " + name + " failed").contains("--insecure-registry " + name);
      assertThat(plain.requests()).allSatisfy(r -> assertThat(r.headers()).doesNotContainKey("authorization"));
    }
  }
}
