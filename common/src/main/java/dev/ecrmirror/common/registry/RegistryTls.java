package dev.ecrmirror.common.registry;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Per-registry TLS from docker's {@code certs.d} layout: for a registry {@code HOST[:PORT]}, the
 * directory {@code certs.d/HOST[:PORT]/} may hold CA certificates ({@code *.crt}, such as
 * {@code ca.crt}) and client certificates ({@code NAME.cert} with its key {@code NAME.key}). A host
 * with such a directory gets a TLS context that trusts the JVM's own CAs plus those, and presents the
 * client certificate; every other host gets the JVM's default context, unchanged.
 *
 * @see <a href="https://docs.docker.com/engine/security/certificates/">docker: verify repository client with certificates</a>
 */
public final class RegistryTls {
  /** Directories to search instead of the defaults, separated by the platform's path separator. */
  public static final String CERTS_D_ENV = "ECR_MIRROR_CERTS_D";

  private static final Pattern PEM = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");
  private static final char[] NO_PASSWORD = new char[0];

  private final List<Path> directories;
  private final Map<String, Optional<SSLContext>> contexts = new ConcurrentHashMap<>();

  private RegistryTls(List<Path> directories) {
    this.directories = List.copyOf(directories);
  }

  /** No certs.d directories: every host gets the JVM's default TLS. */
  public static RegistryTls jvmDefaults() {
    return new RegistryTls(List.of());
  }

  /** Searches these {@code certs.d} directories, in order; the first holding a host's directory wins. */
  public static RegistryTls fromDirectories(List<Path> directories) {
    return new RegistryTls(directories);
  }

  /**
   * The directories searched when no {@code --certs-dir} is given: those in {@value #CERTS_D_ENV},
   * else {@code /etc/docker/certs.d} and {@code ~/.docker/certs.d}.
   */
  public static List<Path> defaultDirectories(Map<String, String> env) {
    String listed = env.get(CERTS_D_ENV);
    if (listed != null && !listed.isBlank()) {
      List<Path> dirs = new ArrayList<>();
      for (String dir : listed.split(java.io.File.pathSeparator)) {
        if (!dir.isBlank()) {
          dirs.add(Path.of(dir.trim()));
        }
      }
      return dirs;
    }
    return List.of(Path.of("/etc/docker/certs.d"), Path.of(System.getProperty("user.home"), ".docker", "certs.d"));
  }

  /** The directories searched, in order. */
  public List<Path> directories() {
    return directories;
  }

  /**
   * The TLS context for {@code authority} ({@code host} or {@code host:port}), or empty for the
   * JVM's default. Read once per host and kept.
   *
   * @throws IOException when the host's certs.d directory holds a file that cannot be used; the
   *     message names the file
   */
  Optional<SSLContext> contextFor(String authority) throws IOException {
    if (directories.isEmpty()) {
      return Optional.empty();
    }
    try {
      return contexts.computeIfAbsent(authority, a -> {
        try {
          return load(a);
        } catch (IOException e) {
          throw new LoadFailure(e);
        }
      });
    } catch (LoadFailure e) {
      throw e.failure;
    }
  }

  private static final class LoadFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient IOException failure;

    LoadFailure(IOException failure) {
      super(failure);
      this.failure = failure;
    }
  }

  /** The host's directory: {@code HOST:PORT} as written, else {@code HOST} alone. */
  private Optional<Path> directoryFor(String authority) {
    int colon = authority.lastIndexOf(':');
    String host = colon > authority.lastIndexOf(']') ? authority.substring(0, colon) : authority;
    for (Path root : directories) {
      for (String name : authority.equals(host) ? List.of(host) : List.of(authority, host)) {
        Path dir = root.resolve(name);
        if (Files.isDirectory(dir)) {
          return Optional.of(dir);
        }
      }
    }
    return Optional.empty();
  }

  private Optional<SSLContext> load(String authority) throws IOException {
    Optional<Path> found = directoryFor(authority);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Path dir = found.get();
    List<X509Certificate> cas = new ArrayList<>();
    List<Path> clientCerts = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (name.endsWith(".crt")) {
          cas.addAll(certificates(file));
        } else if (name.endsWith(".cert")) {
          clientCerts.add(file);
        }
      }
    }
    if (clientCerts.size() > 1) {
      throw new IOException("certs.d " + dir + " holds " + clientCerts.size() + " client certificates (*.cert): keep one");
    }
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      KeyManager[] keys = null;
      if (!clientCerts.isEmpty()) {
        Path cert = clientCerts.getFirst();
        Path key = dir.resolve(cert.getFileName().toString().replaceFirst("\\.cert$", ".key"));
        if (!Files.isRegularFile(key)) {
          throw new IOException("certs.d client certificate " + cert + " has no key " + key.getFileName() + " next to it");
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("client", privateKey(key), NO_PASSWORD, certificates(cert).toArray(Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, NO_PASSWORD);
        keys = kmf.getKeyManagers();
      }
      context.init(keys, trustManagers(cas).getTrustManagers(), null);
      return Optional.of(context);
    } catch (GeneralSecurityException e) {
      throw new IOException("certs.d " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The JVM's trusted CAs (its default trust store, or the one {@code javax.net.ssl.trustStore} names) plus {@code extra}. */
  private static TrustManagerFactory trustManagers(List<X509Certificate> extra) throws GeneralSecurityException, IOException {
    TrustManagerFactory jvm = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    jvm.init((KeyStore) null);
    KeyStore anchors = KeyStore.getInstance("PKCS12");
    anchors.load(null, null);
    int n = 0;
    for (var tm : jvm.getTrustManagers()) {
      if (tm instanceof X509TrustManager x509) {
        for (X509Certificate ca : x509.getAcceptedIssuers()) {
          anchors.setCertificateEntry("jvm-" + n++, ca);
        }
      }
    }
    for (X509Certificate ca : extra) {
      anchors.setCertificateEntry("certs.d-" + n++, ca);
    }
    TrustManagerFactory combined = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    combined.init(anchors);
    return combined;
  }

  private static List<X509Certificate> certificates(Path file) throws IOException {
    try (var in = Files.newInputStream(file)) {
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new IOException("certs.d file " + file + " holds no certificate");
      }
      return out;
    } catch (java.security.cert.CertificateException e) {
      throw new IOException("certs.d file " + file + " is not a PEM certificate: " + e.getMessage(), e);
    }
  }

  /**
   * A PEM private key: PKCS#8 ({@code PRIVATE KEY}), PKCS#1 RSA ({@code RSA PRIVATE KEY}) or SEC1 EC
   * ({@code EC PRIVATE KEY}), the forms openssl writes. The latter two are wrapped in PKCS#8, which
   * is what the JDK reads (RFC 5208 section 5, RFC 5915 section 3).
   */
  static PrivateKey privateKey(Path file) throws IOException {
    Matcher m = PEM.matcher(Files.readString(file, StandardCharsets.US_ASCII));
    while (m.find()) {
      String type = m.group(1);
      if (!type.endsWith("PRIVATE KEY")) {
        continue; // EC PARAMETERS and the like
      }
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(m.group(2));
      } catch (IllegalArgumentException e) {
        throw new IOException("certs.d key " + file + " is not valid base64");
      }
      try {
        return switch (type) {
          case "PRIVATE KEY" -> pkcs8(der);
          case "RSA PRIVATE KEY" -> KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(
              wrap(Der.sequence(Der.RSA_ENCRYPTION, Der.NULL), der)));
          case "EC PRIVATE KEY" -> KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(
              wrap(Der.sequence(Der.EC_PUBLIC_KEY, Der.curveOf(der)), der)));
          default -> throw new IOException("certs.d key " + file + " is an encrypted or unknown " + type
              + ": give an unencrypted PKCS#8 key (openssl pkcs8 -topk8 -nocrypt)");
        };
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        throw new IOException("certs.d key " + file + " cannot be read as a " + type + ": " + e.getMessage(), e);
      }
    }
    throw new IOException("certs.d key " + file + " holds no PEM private key");
  }

  private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
    GeneralSecurityException last = null;
    for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw last;
  }

  /** PrivateKeyInfo: version 0, the algorithm, and the key in an OCTET STRING. */
  private static byte[] wrap(byte[] algorithm, byte[] key) {
    return Der.sequence(Der.tlv(0x02, new byte[] {0}), algorithm, Der.tlv(0x04, key));
  }

  /** The few DER pieces key wrapping needs (X.690). */
  static final class Der {
    static final byte[] RSA_ENCRYPTION = oid(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01);
    static final byte[] EC_PUBLIC_KEY = oid(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01);
    static final byte[] NULL = {0x05, 0x00};

    private Der() {}

    private static byte[] oid(int... bytes) {
      byte[] body = new byte[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        body[i] = (byte) bytes[i];
      }
      return tlv(0x06, body);
    }

    static byte[] sequence(byte[]... parts) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      for (byte[] p : parts) {
        body.writeBytes(p);
      }
      return tlv(0x30, body.toByteArray());
    }

    static byte[] tlv(int tag, byte[] body) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(tag);
      int length = body.length;
      if (length < 0x80) {
        out.write(length);
      } else {
        int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
        out.write(0x80 | bytes);
        for (int i = bytes - 1; i >= 0; i--) {
          out.write(length >>> (8 * i));
        }
      }
      out.writeBytes(body);
      return out.toByteArray();
    }

    /** The named-curve OID (a whole TLV) in a SEC1 ECPrivateKey's {@code [0] parameters}. */
    static byte[] curveOf(byte[] sec1) {
      ByteArrayInputStream in = new ByteArrayInputStream(sec1);
      if (in.read() != 0x30) {
        throw new IllegalArgumentException("not a DER SEQUENCE");
      }
      readLength(in);
      while (in.available() > 0) {
        int tag = in.read();
        int length = readLength(in);
        byte[] body = new byte[Math.max(0, Math.min(length, in.available()))];
        in.read(body, 0, body.length);
        if (tag == 0xa0 && body.length > 2 && body[0] == 0x06) {
          return body;
        }
      }
      throw new IllegalArgumentException("the key names no curve");
    }

    private static int readLength(ByteArrayInputStream in) {
      int first = in.read();
      if (first < 0x80) {
        return first;
      }
      int length = 0;
      for (int i = 0; i < (first & 0x7f); i++) {
        length = (length << 8) | in.read();
      }
      return length;
    }
  }
}
