package dev.ecrmirror.common.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed certificates made with the JDK's {@code keytool} for a test: a server's (with its
 * DNS name as subject alternative name) or a client's, written as PEM files the way docker's
 * {@code certs.d} and docker-registry's TLS settings read them.
 */
public final class TestCertificates {
  private static final char[] PASSWORD = "changeit".toCharArray();

  private TestCertificates() {}

  /** A certificate and its key, as PEM files; the certificate is its own CA. */
  public record Issued(Path certificate, Path key, Path keyStore) {}

  /** A server certificate for {@code host}, valid for two days. */
  public static Issued server(Path dir, String host) throws IOException, InterruptedException {
    return make(dir, host.replace(':', '_'), "CN=" + host, List.of("-ext", "SAN=dns:" + host));
  }

  /** A client certificate for {@code name}, valid for two days. */
  public static Issued client(Path dir, String name) throws IOException, InterruptedException {
    return make(dir, name, "CN=" + name, List.of("-ext", "EKU=clientAuth"));
  }

  private static Issued make(Path dir, String name, String subject, List<String> extensions)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path store = dir.resolve(name + ".p12");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "key", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", subject,
        "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12",
        "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)));
    command.addAll(extensions);
    Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
      keytool.destroyForcibly();
      throw new IOException("keytool failed: " + output);
    }
    try (InputStream in = Files.newInputStream(store)) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(in, PASSWORD);
      Path cert = Files.writeString(dir.resolve(name + ".crt"), pem("CERTIFICATE", keys.getCertificate("key").getEncoded()));
      Path key = Files.writeString(dir.resolve(name + ".key"), pem("PRIVATE KEY", keys.getKey("key", PASSWORD).getEncoded()));
      return new Issued(cert, key, store);
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("reading the key store keytool wrote: " + e.getMessage(), e);
    }
  }

  /** PEM text for DER bytes. */
  public static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }
}
