package dev.ecrmirror.common.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * A registry login: a user name and password, an identity (refresh) token, or a bearer token sent as
 * is. {@link #toString()} never shows the secret, so a credential can be logged by accident without leaking.
 */
public final class Credential {
  private enum Kind { BASIC, IDENTITY_TOKEN, BEARER }

  private final String username;
  private final String secret;
  private final Kind kind;

  private Credential(String username, String secret, Kind kind) {
    this.username = Objects.requireNonNull(username);
    this.secret = Objects.requireNonNull(secret);
    this.kind = kind;
  }

  /** A user name and password (or access token used as one). */
  public static Credential basic(String username, String password) {
    return new Credential(username, password, Kind.BASIC);
  }

  /** An OAuth2 refresh token, exchanged at the token realm with {@code grant_type=refresh_token}. */
  public static Credential identityToken(String token) {
    return new Credential("<token>", token, Kind.IDENTITY_TOKEN);
  }

  /** A token the registry takes as {@code Authorization: Bearer TOKEN}, with no exchange at a token realm. */
  public static Credential bearer(String token) {
    return new Credential("<bearer>", token, Kind.BEARER);
  }

  /** Decodes a docker {@code config.json} {@code auth} field: base64 of {@code user:password}. */
  public static Credential fromAuthField(String base64, String where) {
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(base64.trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the 'auth' field for " + where + " is not valid base64");
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("the 'auth' field for " + where + " does not decode to user:password");
    }
    return basic(decoded.substring(0, colon), decoded.substring(colon + 1));
  }

  public String username() {
    return username;
  }

  /** The password or token. Handle with care: never log it. */
  public String secret() {
    return secret;
  }

  public boolean isIdentityToken() {
    return kind == Kind.IDENTITY_TOKEN;
  }

  /** True for a token sent as is in {@code Authorization: Bearer}. */
  public boolean isBearer() {
    return kind == Kind.BEARER;
  }

  /** The header this login sends when the registry asks for Basic, or for a bearer token sent as is. */
  public String header() {
    return isBearer() ? "Bearer " + secret : basicHeader();
  }

  /** The value of an {@code Authorization: Basic} header. */
  public String basicHeader() {
    return "Basic " + Base64.getEncoder().encodeToString((username + ":" + secret).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return switch (kind) {
      case IDENTITY_TOKEN -> "Credential[identity token]";
      case BEARER -> "Credential[bearer token]";
      case BASIC -> "Credential[user=" + username + ", password=****]";
    };
  }
}
