package dev.ecrmirror.common.ref;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A parsed, normalized image reference: {@code registry/repository[:tag][@digest]}.
 *
 * <p>Defaulting follows the Docker CLI: a name without a registry lives on Docker Hub
 * ({@code docker.io}), a single-component Docker Hub name is an official image under
 * {@code library/}, and a reference with neither tag nor digest means {@code :latest}. So
 * {@code alpine} prints as {@code docker.io/library/alpine:latest}.
 *
 * @see <a href="https://github.com/distribution/reference/blob/main/reference.go">the reference grammar</a>
 */
public final class ImageReference {
  /** The registry name users write for Docker Hub. */
  public static final String DOCKER_HUB = "docker.io";
  private static final String DOCKER_HUB_API = "registry-1.docker.io";
  private static final String DEFAULT_TAG = "latest";

  private static final Pattern DOMAIN = Pattern.compile(
      "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
          + "|\\[[a-fA-F0-9:]+\\]");
  private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");
  private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  private static final int MAX_NAME_LENGTH = 255;

  private final String registry;
  private final String repository;
  private final String tag;
  private final Digest digest;

  private ImageReference(String registry, String repository, String tag, Digest digest) {
    this.registry = registry;
    this.repository = repository;
    this.tag = tag;
    this.digest = digest;
  }

  /** Parses a reference as users write it; throws {@link InvalidReferenceException} naming the problem. */
  public static ImageReference parse(String input) {
    if (input == null || input.isBlank()) {
      throw new InvalidReferenceException(String.valueOf(input), "empty reference");
    }
    String rest = input.trim();
    if (!rest.equals(input)) {
      throw new InvalidReferenceException(input, "surrounding whitespace");
    }
    if (rest.contains("://")) {
      throw new InvalidReferenceException(input, "a reference has no scheme: drop '" + rest.substring(0, rest.indexOf("://") + 3) + "'");
    }
    Digest digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      try {
        digest = Digest.parse(rest.substring(at + 1));
      } catch (InvalidReferenceException e) {
        throw new InvalidReferenceException(input, "bad digest '" + rest.substring(at + 1) + "' (expected sha256:<64 hex>)");
      }
      rest = rest.substring(0, at);
    }
    String tag = null;
    int lastSlash = rest.lastIndexOf('/');
    int colon = rest.lastIndexOf(':');
    if (colon > lastSlash) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw new InvalidReferenceException(input, "bad tag '" + tag
            + "' (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-')");
      }
    }
    if (rest.isEmpty()) {
      throw new InvalidReferenceException(input, "missing repository name");
    }
    String registry;
    String path;
    int slash = rest.indexOf('/');
    String first = slash < 0 ? rest : rest.substring(0, slash);
    if (slash > 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"))) {
      registry = parseRegistry(input, first);
      path = rest.substring(slash + 1);
    } else {
      registry = DOCKER_HUB;
      path = rest;
    }
    if (registry.equals(DOCKER_HUB) && !path.contains("/")) {
      path = "library/" + path;
    }
    for (String component : path.split("/", -1)) {
      if (component.isEmpty()) {
        throw new InvalidReferenceException(input, "empty path component in repository '" + path + "'");
      }
      if (!PATH_COMPONENT.matcher(component).matches()) {
        String why = component.equals(component.toLowerCase(Locale.ROOT))
            ? "may hold only lowercase letters, digits and single separators ('.', '_', '__', '-')"
            : "must be lowercase";
        throw new InvalidReferenceException(input, "repository component '" + component + "' " + why);
      }
    }
    if (registry.length() + 1 + path.length() > MAX_NAME_LENGTH) {
      throw new InvalidReferenceException(input, "name longer than " + MAX_NAME_LENGTH + " characters");
    }
    return new ImageReference(registry, path, tag, digest);
  }

  private static String parseRegistry(String input, String value) {
    String host = value;
    int colon = value.lastIndexOf(':');
    if (colon > value.lastIndexOf(']')) {
      String port = value.substring(colon + 1);
      if (!PORT.matcher(port).matches() || Integer.parseInt(port) > 65535) {
        throw new InvalidReferenceException(input, "bad port '" + port + "' in registry '" + value + "'");
      }
      host = value.substring(0, colon);
    }
    if (!DOMAIN.matcher(host).matches()) {
      throw new InvalidReferenceException(input, "bad registry host '" + host + "'");
    }
    String lower = value.toLowerCase(Locale.ROOT);
    if (lower.equals("index.docker.io") || lower.equals(DOCKER_HUB_API)) {
      return DOCKER_HUB;
    }
    return lower;
  }

  /** The registry as users name it, e.g. {@code docker.io} or {@code 127.0.0.1:5000}. */
  public String registry() {
    return registry;
  }

  /** The host (and port) the registry API answers on: Docker Hub's is {@code registry-1.docker.io}. */
  public String apiHost() {
    return registry.equals(DOCKER_HUB) ? DOCKER_HUB_API : registry;
  }

  /** The host without port or brackets, for insecure-registry and loopback checks. */
  public String hostName() {
    String host = registry;
    int colon = host.lastIndexOf(':');
    if (colon > host.lastIndexOf(']')) {
      host = host.substring(0, colon);
    }
    return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
  }

  /** The repository path inside the registry, e.g. {@code library/alpine}. */
  public String repository() {
    return repository;
  }

  /** The tag as given, if any. */
  public Optional<String> tag() {
    return Optional.ofNullable(tag);
  }

  /** The digest as given, if any. */
  public Optional<Digest> digest() {
    return Optional.ofNullable(digest);
  }

  /** The manifest reference for API calls: the digest when present, else the tag, else {@code latest}. */
  public String manifestReference() {
    if (digest != null) {
      return digest.toString();
    }
    return tag != null ? tag : DEFAULT_TAG;
  }

  /** The tag to use: the given one or {@code latest} when the reference names neither tag nor digest. */
  public Optional<String> effectiveTag() {
    if (tag != null) {
      return Optional.of(tag);
    }
    return digest == null ? Optional.of(DEFAULT_TAG) : Optional.empty();
  }

  /** True when the reference named neither a tag nor a digest. */
  public boolean isBare() {
    return tag == null && digest == null;
  }

  /** The same repository with the given tag and no digest. */
  public ImageReference withTag(String newTag) {
    return new ImageReference(registry, repository, Objects.requireNonNull(newTag), null);
  }

  /** The same repository pinned to a digest, keeping the tag for display. */
  public ImageReference withDigest(Digest newDigest) {
    return new ImageReference(registry, repository, tag, Objects.requireNonNull(newDigest));
  }

  /** {@code registry/repository}, without tag or digest. */
  public String name() {
    return registry + "/" + repository;
  }

  /** True when both references are in the same repository of the same registry. */
  public boolean sameRepository(ImageReference other) {
    return registry.equals(other.registry) && repository.equals(other.repository);
  }

  /** The normalized form, {@code docker.io/library/alpine:latest}. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(name());
    effectiveTag().ifPresent(t -> out.append(':').append(t));
    if (digest != null) {
      out.append('@').append(digest);
    }
    return out.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImageReference r && r.toString().equals(toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }
}
