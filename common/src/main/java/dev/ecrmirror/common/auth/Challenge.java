package dev.ecrmirror.common.auth;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed {@code WWW-Authenticate} challenge: the scheme ({@code Bearer} or {@code Basic}) and its
 * parameters ({@code realm}, {@code service}, {@code scope}, {@code error}).
 *
 * @see <a href="https://distribution.github.io/distribution/spec/auth/token/">the token auth spec</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7235#section-4.1">RFC 7235, WWW-Authenticate</a>
 */
public record Challenge(String scheme, Map<String, String> parameters) {

  public Challenge {
    parameters = Map.copyOf(parameters);
  }

  /**
   * Parses a header value such as {@code Bearer realm="https://auth.docker.io/token",service="registry.docker.io"}.
   * Parameter names are case-insensitive (kept lowercase); values may be quoted, with backslash escapes.
   */
  public static Optional<Challenge> parse(String header) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    String value = header.trim();
    int space = value.indexOf(' ');
    String scheme = (space < 0 ? value : value.substring(0, space)).toLowerCase(Locale.ROOT);
    if (!scheme.equals("bearer") && !scheme.equals("basic")) {
      return Optional.empty();
    }
    Map<String, String> params = new LinkedHashMap<>();
    int i = space < 0 ? value.length() : space + 1;
    while (i < value.length()) {
      while (i < value.length() && (value.charAt(i) == ' ' || value.charAt(i) == ',')) {
        i++;
      }
      int eq = value.indexOf('=', i);
      if (eq < 0) {
        break;
      }
      String name = value.substring(i, eq).trim().toLowerCase(Locale.ROOT);
      i = eq + 1;
      StringBuilder v = new StringBuilder();
      if (i < value.length() && value.charAt(i) == '"') {
        i++;
        while (i < value.length() && value.charAt(i) != '"') {
          if (value.charAt(i) == '\\' && i + 1 < value.length()) {
            i++;
          }
          v.append(value.charAt(i++));
        }
        i++; // closing quote
      } else {
        while (i < value.length() && value.charAt(i) != ',') {
          v.append(value.charAt(i++));
        }
      }
      params.put(name, v.toString().trim());
    }
    return Optional.of(new Challenge(scheme.equals("bearer") ? "Bearer" : "Basic", params));
  }

  public boolean isBearer() {
    return scheme.equals("Bearer");
  }

  public Optional<String> realm() {
    return Optional.ofNullable(parameters.get("realm"));
  }

  public Optional<String> service() {
    return Optional.ofNullable(parameters.get("service"));
  }
}
