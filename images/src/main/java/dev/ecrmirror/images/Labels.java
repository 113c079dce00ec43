package dev.ecrmirror.images;

import dev.ecrmirror.common.Subprocess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

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
  /** git answers in milliseconds; longer means a hung filesystem or a lock, and the label is not worth a stuck build. */
  private static final Duration GIT_TIMEOUT = Duration.ofSeconds(10);

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

  /** {@code git rev-parse HEAD} in {@code dir}, or {@code unknown} outside a git checkout, without git, or when git hangs. */
  static String gitRevision(Path dir) {
    try {
      Subprocess.Result git = Subprocess.run(new ProcessBuilder("git", "rev-parse", "HEAD").directory(dir.toFile())
          .redirectError(ProcessBuilder.Redirect.DISCARD), new byte[0], GIT_TIMEOUT, "git rev-parse HEAD in " + dir);
      String head = git.stdoutText().trim();
      return git.exitCode() == 0 && head.matches("[0-9a-f]{40,64}") ? head : "unknown";
    } catch (Subprocess.TimedOut e) {
      return "unknown";
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }
}
