package dev.ecrmirror.common.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key forms openssl writes for docker's client.key, and where certs.d is looked for. */
class RegistryTlsTest {
  @TempDir
  Path dir;

  private Path openssl(String name, String... args) throws Exception {
    Path out = dir.resolve(name);
    Process p;
    try {
      p = new ProcessBuilder(args).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      assumeThat(false).as("openssl is not installed").isTrue();
      return out;
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("openssl " + String.join(" ", args)).isTrue();
    return out;
  }

  @Test
  void readsSec1EcPkcs1RsaAndPkcs8Keys() throws Exception {
    Path ec = openssl("ec.key", "openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout");
    Path rsa = openssl("rsa.key", "openssl", "genrsa", "-traditional", "2048");
    Path pkcs8 = openssl("p8.key", "openssl", "pkcs8", "-topk8", "-nocrypt", "-in", ec.toString());
    assertThat(Files.readString(ec)).contains("BEGIN EC PRIVATE KEY");
    assertThat(Files.readString(rsa)).contains("BEGIN RSA PRIVATE KEY");

    PrivateKey ecKey = RegistryTls.privateKey(ec);
    assertThat(ecKey.getAlgorithm()).isEqualTo("EC");
    assertThat(RegistryTls.privateKey(rsa).getAlgorithm()).isEqualTo("RSA");
    assertThat(((ECPrivateKey) RegistryTls.privateKey(pkcs8)).getS()).as("the same key either way")
        .isEqualTo(((ECPrivateKey) ecKey).getS());
  }

  @Test
  void aFileWithoutAKeyIsNamed() throws Exception {
    Path bad = Files.writeString(dir.resolve("client.key"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> RegistryTls.privateKey(bad)).hasMessageContaining(bad.toString()).hasMessageContaining("no PEM private key");
  }

  @Test
  void theEnvironmentReplacesTheDefaultDirectories() {
    assertThat(RegistryTls.defaultDirectories(Map.of(RegistryTls.CERTS_D_ENV, "/a:/b")))
        .containsExactly(Path.of("/a"), Path.of("/b"));
    assertThat(RegistryTls.defaultDirectories(Map.of())).first().isEqualTo(Path.of("/etc/docker/certs.d"));
    assertThat(RegistryTls.defaultDirectories(Map.of())).last()
        .isEqualTo(Path.of(System.getProperty("user.home"), ".docker", "certs.d"));
    assertThat(RegistryTls.fromDirectories(List.of()).directories()).isEmpty();
  }
}
