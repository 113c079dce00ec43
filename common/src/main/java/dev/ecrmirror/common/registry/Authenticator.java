package dev.ecrmirror.common.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecrmirror.common.Json;
import dev.ecrmirror.common.auth.Challenge;
import dev.ecrmirror.common.auth.Credential;
import dev.ecrmirror.common.auth.CredentialProvider;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Turns a registry's {@code WWW-Authenticate} challenge into an {@code Authorization} header:
 * Basic from the user's login, or a Bearer token from the realm for exactly the scopes a request
 * needs. Challenges and tokens are cached per registry and scope set, so a run asks once.
 *
 * @see <a href="https://distribution.github.io/distribution/spec/auth/token/">token authentication</a>
 */
final class Authenticator {
  private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);

  private final Function<URI, HttpClient> http;
  private final CredentialProvider credentials;
  private final String userAgent;
  private final Clock clock = Clock.systemUTC();
  private final Map<String, Challenge> challenges = new ConcurrentHashMap<>();
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();
  private final Map<String, Optional<Credential>> logins = new ConcurrentHashMap<>();

  private record Token(String header, Instant expires) {}

  Authenticator(Function<URI, HttpClient> http, CredentialProvider credentials, String userAgent) {
    this.http = http;
    this.credentials = credentials;
    this.userAgent = userAgent;
  }

  /** The header to send up front, when this registry already challenged us before; else empty. */
  Optional<String> headerFor(String registry, List<String> scopes) {
    Challenge challenge = challenges.get(registry);
    if (challenge == null) {
      return Optional.empty();
    }
    if (!challenge.isBearer()) {
      return login(registry).map(Credential::basicHeader);
    }
    Token token = tokens.get(tokenKey(registry, scopes));
    if (token != null && clock.instant().isBefore(token.expires())) {
      return Optional.of(token.header());
    }
    return Optional.of(fetchToken(registry, challenge, scopes));
  }

  /**
   * Records a 401's challenge and returns the header to retry with, or empty when retrying cannot
   * help (no challenge we understand, or Basic without a login).
   */
  Optional<String> onChallenge(String registry, String wwwAuthenticate, List<String> scopes) {
    Optional<Challenge> parsed = Challenge.parse(wwwAuthenticate);
    if (parsed.isEmpty()) {
      return Optional.empty();
    }
    Challenge challenge = parsed.get();
    challenges.put(registry, challenge);
    if (!challenge.isBearer()) {
      return login(registry).map(Credential::basicHeader);
    }
    tokens.remove(tokenKey(registry, scopes));
    return Optional.of(fetchToken(registry, challenge, scopes));
  }

  /** True when we hold a login for the registry: a 401 then means it was rejected, not missing. */
  boolean hasLogin(String registry) {
    return login(registry).isPresent();
  }

  private Optional<Credential> login(String registry) {
    return logins.computeIfAbsent(registry, credentials::credentialFor);
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
    String action = "get a token for " + registry + " from " + URI.create(realm).getHost()
        + (scopes.isEmpty() ? "" : " (" + String.join(" ", scopes) + ")");
    HttpRequest request;
    if (login.isPresent() && login.get().isIdentityToken()) {
      StringBuilder form = new StringBuilder(query);
      appendParam(form, "grant_type", "refresh_token");
      appendParam(form, "refresh_token", login.get().secret());
      appendParam(form, "client_id", "ecr-mirror");
      request = HttpRequest.newBuilder(URI.create(realm)).timeout(Duration.ofSeconds(30))
          .header("User-Agent", userAgent)
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(form.toString())).build();
    } else {
      String sep = realm.contains("?") ? "&" : "?";
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(query.isEmpty() ? realm : realm + sep + query))
          .timeout(Duration.ofSeconds(30)).header("User-Agent", userAgent).GET();
      login.ifPresent(c -> b.header("Authorization", c.basicHeader()));
      request = b.build();
    }
    HttpResponse<byte[]> response;
    try {
      response = http.apply(request.uri()).send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new RegistryException(action, 0, "", e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException(action, 0, "", "interrupted", e);
    }
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      throw new RegistryException(action, response.statusCode(), "UNAUTHORIZED",
          login.isPresent() ? "the registry rejected the login for user '" + login.get().username() + "'"
              : "the registry requires a login: add one to the auth file");
    }
    if (response.statusCode() != 200) {
      throw new RegistryException(action, response.statusCode(), "", "unexpected answer from the token service");
    }
    try {
      JsonNode body = Json.mapper().readTree(response.body());
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
