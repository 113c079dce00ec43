package dev.ecrmirror.common.ref;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A content digest such as {@code sha256:6c3c...}, validated as the OCI image spec defines it.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests">OCI digests</a>
 */
public final class Digest implements Comparable<Digest> {
  // algorithm ":" encoded, per the image spec's digest grammar.
  private static final Pattern GRAMMAR =
      Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");
  private static final Pattern SHA256_HEX = Pattern.compile("[a-f0-9]{64}");
  private static final Pattern SHA512_HEX = Pattern.compile("[a-f0-9]{128}");

  private final String algorithm;
  private final String hex;

  private Digest(String algorithm, String hex) {
    this.algorithm = algorithm;
    this.hex = hex;
  }

  /** Parses {@code algorithm:encoded}; sha256 and sha512 must have the exact lowercase hex length. */
  public static Digest parse(String value) {
    if (value == null || !GRAMMAR.matcher(value).matches()) {
      throw new InvalidReferenceException(String.valueOf(value), "not a digest (expected sha256:<64 hex>)");
    }
    int colon = value.indexOf(':');
    String algorithm = value.substring(0, colon);
    String hex = value.substring(colon + 1);
    Pattern expected = switch (algorithm) {
      case "sha256" -> SHA256_HEX;
      case "sha512" -> SHA512_HEX;
      default -> throw new InvalidReferenceException(value, "unsupported digest algorithm '" + algorithm + "'");
    };
    if (!expected.matcher(hex).matches()) {
      throw new InvalidReferenceException(value, "a " + algorithm + " digest needs "
          + (expected == SHA256_HEX ? 64 : 128) + " lowercase hex characters");
    }
    return new Digest(algorithm, hex);
  }

  /** The sha256 digest of the given bytes. */
  public static Digest sha256(byte[] content) {
    return new Digest("sha256", HexFormat.of().formatHex(newMessageDigest("sha256").digest(content)));
  }

  /** A fresh {@link MessageDigest} for this digest's algorithm, for verifying a stream. */
  public MessageDigest newMessageDigest() {
    return newMessageDigest(algorithm);
  }

  /** True when the finished message digest equals this digest. */
  public boolean matches(MessageDigest finished) {
    return hex.equals(HexFormat.of().formatHex(finished.digest()));
  }

  /** True when the bytes hash to this digest. */
  public boolean matches(byte[] content) {
    return hex.equals(HexFormat.of().formatHex(newMessageDigest(algorithm).digest(content)));
  }

  private static MessageDigest newMessageDigest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm.equals("sha512") ? "SHA-512" : "SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks " + algorithm, e);
    }
  }

  public String algorithm() {
    return algorithm;
  }

  public String hex() {
    return hex;
  }

  /** The first 12 hex characters, as registries and tools print short digests. */
  public String shortHex() {
    return hex.substring(0, 12);
  }

  @Override
  public int compareTo(Digest other) {
    return toString().compareTo(other.toString());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Digest d && d.algorithm.equals(algorithm) && d.hex.equals(hex);
  }

  @Override
  public int hashCode() {
    return Objects.hash(algorithm, hex);
  }

  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }
}
