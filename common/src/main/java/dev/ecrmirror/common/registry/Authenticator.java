package dev.ecrmirror.common.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecrmirror.common.Json;
import dev.ecrmirror.common.auth.Challenge;
import dev.ecrmirror.common.auth.Credential;
import dev.ecrmirror.common.auth.CredentialProvider;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Turns a registry's {@code WWW-Authenticate} challenge into an {@code Authorization} header:
 * Basic from the user's login, or a Bearer token from the realm for exactly the scopes a request
 * needs. Challenges and tokens are cached per registry and scope set, so a run asks once. The
 * login itself is asked of the provider before each request, so one that expires (an ECR token
 * lasts 12 hours) is replaced in time; a 401 answering a login makes the provider drop it and
 * the request is tried once more with what the provider gives then.
 *
 * @see <a href="https://distribution.github.io/distribution/spec/auth/token/">token authentication</a>
 */
final class Authenticator {
  private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);

  private static final Duration TOKEN_TIMEOUT = Duration.ofSeconds(30);

  private final Transport http;
  private final Predicate<String> plainHttpAllowed;
  private final CredentialProvider credentials;
  private final String userAgent;
  private final Clock clock = Clock.systemUTC();
  private final Map<String, Challenge> challenges = new ConcurrentHashMap<>();
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();

  private record Token(String header, Instant expires) {}

  /**
   * @param plainHttpAllowed whether a login may be sent over plain HTTP to an authority ({@code host[:port]}):
   *     loopback and insecure registries only
   */
  Authenticator(Transport http, CredentialProvider credentials, String userAgent, Predicate<String> plainHttpAllowed) {
    this.http = http;
    this.plainHttpAllowed = plainHttpAllowed;
    this.credentials = credentials;
    this.userAgent = userAgent;
  }

  /** The header to send up front, when this registry already challenged us before; else empty. */
  Optional<String> headerFor(String registry, List<String> scopes) {
    Challenge challenge = challenges.get(registry);
    if (challenge == null) {
      return Optional.empty();
    }
    Optional<Credential> login = login(registry);
    if (!challenge.isBearer() || login.filter(Credential::isBearer).isPresent()) {
      return login.map(Credential::header);
    }
    Token token = tokens.get(tokenKey(registry, scopes));
    if (token != null && clock.instant().isBefore(token.expires())) {
      return Optional.of(token.header());
    }
    return Optional.of(fetchToken(registry, challenge, scopes));
  }

  /**
   * Records a 401's challenge and returns the header to retry with, or empty when retrying cannot
   * help (no challenge we understand, or Basic without a login). {@code refused} says the request
   * carried an {@code Authorization} header: the registry refused it, rather than asked for one.
   */
  Optional<String> onChallenge(String registry, String wwwAuthenticate, List<String> scopes, boolean refused) {
    Optional<Challenge> parsed = Challenge.parse(wwwAuthenticate);
    if (parsed.isEmpty()) {
      return Optional.empty();
    }
    Challenge challenge = parsed.get();
    challenges.put(registry, challenge);
    if (refused) {
      // The login (or the token got with it) may have expired since it was fetched: ask the provider afresh.
      credentials.rejected(registry);
    }
    Optional<Credential> login = login(registry);
    // A bearer token the user gave is sent as is, whatever the challenge: there is nothing to exchange it for.
    if (!challenge.isBearer() || login.filter(Credential::isBearer).isPresent()) {
      return login.map(Credential::header);
    }
    tokens.remove(tokenKey(registry, scopes));
    return Optional.of(fetchToken(registry, challenge, scopes));
  }

  /** True when we hold a login for the registry: a 401 then means it was rejected, not missing. */
  boolean hasLogin(String registry) {
    return login(registry).isPresent();
  }

  private Optional<Credential> login(String registry) {
    return credentials.credentialFor(registry);
  }

  private static String tokenKey(String registry, List<String> scopes) {
    return registry + " " + scopes.stream().sorted().collect(Collectors.joining(" "));
  }

  private String fetchToken(String registry, Challenge challenge, List<String> scopes) {
    String realm = challenge.realm().orElseThrow(() -> new RegistryException(
        "authenticate to " + registry, 401, "UNAUTHORIZED", "the Bearer challenge names no realm"));
    StringBuilder query = new StringBuilder();
    challenge.service().ifPresent(s -> appendParam(query, "service", s));
    for (String scope : scopes) {
      appendParam(query, "scope", scope);
    }
    Optional<Credential> login = login(registry);
    URI realmUri = URI.create(realm);
    String action = "get a token for " + registry + " from " + realmUri.getHost()
        + (scopes.isEmpty() ? "" : " (" + String.join(" ", scopes) + ")");
    if (login.isPresent() && !"https".equalsIgnoreCase(realmUri.getScheme())
        && !plainHttpAllowed.test(realmUri.getRawAuthority())) {
      throw new RegistryException(action, 0, "UNAUTHORIZED", "the token service is plain HTTP (" + realmUri.getScheme()
          + "://" + realmUri.getRawAuthority() + "): the login is not sent in clear; pass --insecure-registry "
          + realmUri.getRawAuthority() + " if that is intended");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("User-Agent", userAgent);
    Transport.Request request;
    if (login.isPresent() && login.get().isIdentityToken()) {
      StringBuilder form = new StringBuilder(query);
      appendParam(form, "grant_type", "refresh_token");
      appendParam(form, "refresh_token", login.get().secret());
      appendParam(form, "client_id", "ecr-mirror");
      headers.put("Content-Type", "application/x-www-form-urlencoded");
      request = Transport.Request.withBytes("POST", URI.create(realm), headers,
          form.toString().getBytes(StandardCharsets.UTF_8), TOKEN_TIMEOUT);
    } else {
      String sep = realm.contains("?") ? "&" : "?";
      login.ifPresent(c -> headers.put("Authorization", c.basicHeader()));
      request = Transport.Request.of("GET", URI.create(query.isEmpty() ? realm : realm + sep + query), headers,
          TOKEN_TIMEOUT);
    }
    int status;
    byte[] answer;
    try {
      Transport.Response response = http.exchange(request);
      status = response.status();
      answer = response.bytes(1024 * 1024);
    } catch (IOException e) {
      throw new RegistryException(action, 0, "", e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
    if (status == 401 || status == 403) {
      throw new RegistryException(action, status, "UNAUTHORIZED",
          login.isPresent() ? "the registry rejected the login for user '" + login.get().username() + "'"
              : "the registry requires a login: add one to the auth file");
    }
    if (status != 200) {
      throw new RegistryException(action, status, "", "unexpected answer from the token service");
    }
    try {
      JsonNode body = Json.readTree(answer);
      String token = body.hasNonNull("token") ? body.get("token").asText() : body.path("access_token").asText("");
      if (token.isEmpty()) {
        throw new RegistryException(action, 200, "", "the token service answered without a token");
      }
      long seconds = body.path("expires_in").asLong(DEFAULT_TOKEN_LIFETIME.toSeconds());
      // Renew a little early: a token that expires mid-upload fails the upload.
      Instant expires = clock.instant().plusSeconds(Math.max(10, seconds - 10));
      String header = "Bearer " + token;
      tokens.put(tokenKey(registry, scopes), new Token(header, expires));
      return header;
    } catch (IOException e) {
      throw new RegistryException(action, 200, "", "the token service answered with invalid JSON", e);
    }
  }

  private static void appendParam(StringBuilder query, String name, String value) {
    if (!query.isEmpty()) {
      query.append('&');
    }
    query.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
  }
}
