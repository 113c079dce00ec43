package dev.ecrmirror.common.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * A registry login: a user name and password, or an identity (refresh) token. {@link #toString()}
 * never shows the secret, so a credential can be logged by accident without leaking.
 */
public final class Credential {
  private final String username;
  private final String secret;
  private final boolean identityToken;

  private Credential(String username, String secret, boolean identityToken) {
    this.username = Objects.requireNonNull(username);
    this.secret = Objects.requireNonNull(secret);
    this.identityToken = identityToken;
  }

  /** A user name and password (or access token used as one). */
  public static Credential basic(String username, String password) {
    return new Credential(username, password, false);
  }

  /** An OAuth2 refresh token, exchanged at the token realm with {@code grant_type=refresh_token}. */
  public static Credential identityToken(String token) {
    return new Credential("<token>", token, true);
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
    return identityToken;
  }

  /** The value of an {@code Authorization: Basic} header. */
  public String basicHeader() {
    return "Basic " + Base64.getEncoder().encodeToString((username + ":" + secret).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return identityToken ? "Credential[identity token]" : "Credential[user=" + username + ", password=****]";
  }
}
