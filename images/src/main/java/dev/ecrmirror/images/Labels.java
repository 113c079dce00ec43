package dev.ecrmirror.images;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The OCI annotation labels both images carry, so a running container says what it is and where
 * it came from. No creation time: it would make every build's digest different.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/main/annotations.md">pre-defined annotation keys</a>
 */
final class Labels {
  static final String VERSION = "org.opencontainers.image.version";
  static final String REVISION = "org.opencontainers.image.revision";
  static final String SOURCE = "org.opencontainers.image.source";
  static final String BASE_NAME = "org.opencontainers.image.base.name";
  static final String BASE_DIGEST = "org.opencontainers.image.base.digest";
  static final String TITLE = "org.opencontainers.image.title";
  static final String DESCRIPTION = "org.opencontainers.image.description";

  private Labels() {}

  /** Version, revision, source (when known) and the base the images were built on. */
  static Map<String, String> common(String version, String revision, Optional<String> sourceUrl, BaseImage base) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(VERSION, version);
    labels.put(REVISION, revision);
    sourceUrl.filter(s -> !s.isBlank()).ifPresent(s -> labels.put(SOURCE, s));
    labels.put(BASE_NAME, base.reference().toString());
    labels.put(BASE_DIGEST, base.digest().toString());
    return labels;
  }

  /** {@code git rev-parse HEAD} in {@code dir}, or {@code unknown} outside a git checkout or without git. */
  static String gitRevision(Path dir) {
    try {
      Process git = new ProcessBuilder("git", "rev-parse", "HEAD").directory(dir.toFile())
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String head = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!git.waitFor(10, TimeUnit.SECONDS)) {
        git.destroyForcibly();
        return "unknown";
      }
      return git.exitValue() == 0 && head.matches("[0-9a-f]{40,64}") ? head : "unknown";
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }
}
