package dev.ecrmirror.common.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecrmirror.common.Json;
import dev.ecrmirror.common.Subprocess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Credentials from a docker {@code config.json}: the {@code auths} entries, and the
 * {@code credHelpers} / {@code credsStore} programs spoken to through the
 * {@code docker-credential-*} protocol ({@code get}, server URL on stdin, JSON on stdout).
 *
 * @see <a href="https://github.com/docker/docker-credential-helpers">docker-credential-helpers</a>
 */
public final class DockerConfigCredentials implements CredentialProvider {
  private static final String DOCKER_HUB_SERVER = "https://index.docker.io/v1/";
  /** A helper may call a cloud API or unlock a keychain; one that takes longer is stuck. */
  static final Duration HELPER_TIMEOUT = Duration.ofSeconds(30);

  private final String origin;
  private final Map<String, JsonNode> auths;
  private final Map<String, String> credHelpers;
  private final String credsStore;
  private final Map<String, Optional<Credential>> helperCache = new ConcurrentHashMap<>();
  private final Path helperDirectory;
  private final Duration helperTimeout;
  private final JsonNode root;

  private DockerConfigCredentials(String origin, JsonNode root, Path helperDirectory, Duration helperTimeout) {
    this.origin = origin;
    this.helperDirectory = helperDirectory;
    this.helperTimeout = helperTimeout;
    this.root = root;
    Map<String, JsonNode> a = new HashMap<>();
    root.path("auths").properties().forEach(e -> a.put(normalizeServer(e.getKey()), e.getValue()));
    this.auths = Map.copyOf(a);
    Map<String, String> h = new HashMap<>();
    root.path("credHelpers").properties().forEach(e -> h.put(normalizeServer(e.getKey()), e.getValue().asText()));
    this.credHelpers = Map.copyOf(h);
    this.credsStore = root.path("credsStore").asText("");
  }

  /** Reads a config file; a missing file is an error naming the path. */
  public static DockerConfigCredentials fromFile(Path file) {
    try {
      return fromJson(file.toString(), Files.readString(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read auth file " + file + ": " + e.getMessage(), e);
    }
  }

  /** Parses config.json content; {@code origin} names where it came from, for error messages. */
  public static DockerConfigCredentials fromJson(String origin, String json) {
    try {
      JsonNode root = Json.readTree(json);
      if (root == null || !root.isObject()) {
        throw new IllegalArgumentException("auth config " + origin + " is not a JSON object");
      }
      return new DockerConfigCredentials(origin, root, null, HELPER_TIMEOUT);
    } catch (IOException e) {
      // Jackson's message may quote the content: keep only where it failed.
      throw new IllegalArgumentException("auth config " + origin + " is not valid JSON (line "
          + lineOf(e) + ")");
    }
  }

  private static String lineOf(IOException e) {
    return e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null
        ? String.valueOf(j.getLocation().getLineNr()) : "?";
  }

  /** The same config, running helpers from {@code directory} instead of the PATH (for tests). */
  DockerConfigCredentials withHelperDirectory(Path directory) {
    return new DockerConfigCredentials(origin, root, directory, helperTimeout);
  }

  /** The same config, killing a helper that has not answered within {@code timeout} (for tests). */
  DockerConfigCredentials withHelperTimeout(Duration timeout) {
    return new DockerConfigCredentials(origin, root, helperDirectory, timeout);
  }

  /** The default file: {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}, if it exists. */
  public static Optional<DockerConfigCredentials> fromDefaultLocation() {
    String dir = System.getenv("DOCKER_CONFIG");
    Path file = dir != null && !dir.isBlank()
        ? Path.of(dir, "config.json")
        : Path.of(System.getProperty("user.home"), ".docker", "config.json");
    return Files.isRegularFile(file) ? Optional.of(fromFile(file)) : Optional.empty();
  }

  /** Maps every way users write a server in config.json to the registry name: no scheme, no path. */
  static String normalizeServer(String server) {
    String s = server.trim().toLowerCase(Locale.ROOT);
    int scheme = s.indexOf("://");
    if (scheme >= 0) {
      s = s.substring(scheme + 3);
    }
    int slash = s.indexOf('/');
    if (slash >= 0) {
      s = s.substring(0, slash);
    }
    if (s.equals("index.docker.io") || s.equals("registry-1.docker.io") || s.equals("registry.hub.docker.com")) {
      return "docker.io";
    }
    return s;
  }

  @Override
  public Optional<Credential> credentialFor(String registry) {
    String key = normalizeServer(registry);
    String helper = credHelpers.get(key);
    if (helper != null) {
      return helperCache.computeIfAbsent(key, k -> runHelper(helper, k));
    }
    JsonNode entry = auths.get(key);
    if (entry != null) {
      Optional<Credential> fromEntry = fromAuthEntry(entry, key);
      if (fromEntry.isPresent()) {
        return fromEntry;
      }
    }
    if (!credsStore.isEmpty()) {
      return helperCache.computeIfAbsent(key, k -> runHelper(credsStore, k));
    }
    return Optional.empty();
  }

  /** A helper's answer was refused (docker-credential-ecr-login's tokens expire): run it again next time. */
  @Override
  public void rejected(String registry) {
    helperCache.remove(normalizeServer(registry));
  }

  private Optional<Credential> fromAuthEntry(JsonNode entry, String registry) {
    String where = registry + " in " + origin;
    if (entry.hasNonNull("identitytoken") && !entry.get("identitytoken").asText().isEmpty()) {
      return Optional.of(Credential.identityToken(entry.get("identitytoken").asText()));
    }
    if (entry.hasNonNull("auth") && !entry.get("auth").asText().isEmpty()) {
      return Optional.of(Credential.fromAuthField(entry.get("auth").asText(), where));
    }
    if (entry.hasNonNull("username") && entry.hasNonNull("password")) {
      return Optional.of(Credential.basic(entry.get("username").asText(), entry.get("password").asText()));
    }
    return Optional.empty();
  }

  private Optional<Credential> runHelper(String helper, String registry) {
    String program = "docker-credential-" + helper;
    String serverUrl = registry.equals("docker.io") ? DOCKER_HUB_SERVER : registry;
    try {
      String command = helperDirectory == null ? program : helperDirectory.resolve(program).toString();
      Subprocess.Result result = Subprocess.run(
          new ProcessBuilder(command, "get").redirectError(ProcessBuilder.Redirect.DISCARD),
          serverUrl.getBytes(StandardCharsets.UTF_8), helperTimeout,
          "credential helper " + program + " (asked for " + registry + ")");
      if (result.exitCode() != 0) {
        // "credentials not found in native keychain": the helper has nothing for this registry.
        return Optional.empty();
      }
      byte[] out = result.stdout();
      JsonNode answer = Json.readTree(out);
      String user = answer.path("Username").asText("");
      String secret = answer.path("Secret").asText("");
      if (secret.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(user.equals("<token>") ? Credential.identityToken(secret) : Credential.basic(user, secret));
    } catch (IOException e) {
      throw new IllegalStateException("credential helper " + program + " (from " + origin + ") failed for "
          + registry + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking " + program + " for " + registry, e);
    }
  }
}
