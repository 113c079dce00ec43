package dev.ecrmirror.images;

import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.ref.InvalidReferenceException;
import java.nio.file.Path;

/** Where the built images go: a registry under a name prefix, or tar files in a directory. */
sealed interface Target {

  /** The image name and tag an image gets (inside the tar, for a tar target). */
  ImageReference reference(AppImage app);

  /** The name as printed and, for a tar, as {@code docker load} tags it. */
  default String name(AppImage app) {
    return reference(app).toString();
  }

  /** Pushes to {@code <prefix>/<name>:<tag>}. */
  record Registry(String prefix, String tag) implements Target {

    /**
     * Validates the prefix by parsing a full reference built from it, so a prefix that carries a
     * tag, a digest or a scheme is rejected with the reason, naming the {@code --to} value.
     */
    static Registry of(String prefix, String tag) {
      String trimmed = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
      if (trimmed.isEmpty() || trimmed.contains("@")) {
        throw new IllegalArgumentException("--to '" + prefix + "' is not a registry/repository prefix"
            + " (expected e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-mirror)");
      }
      Registry target = new Registry(trimmed, tag);
      for (AppImage app : AppImage.ALL) {
        try {
          target.reference(app);
        } catch (InvalidReferenceException e) {
          throw new IllegalArgumentException("--to '" + prefix + "' with --tag '" + tag + "' does not make a valid"
              + " image name: " + e.getMessage(), e);
        }
      }
      return target;
    }

    @Override
    public ImageReference reference(AppImage app) {
      return ImageReference.parse(prefix + "/" + app.name() + ":" + tag);
    }
  }

  /** Writes {@code <dir>/<name>.tar}, a single-platform {@code docker load} archive named {@code ecr-mirror/<name>:<tag>}. */
  record Tar(Path dir, String tag) implements Target {

    static Tar of(Path dir, String tag) {
      Tar target = new Tar(dir, tag);
      try {
        target.reference(AppImage.WORKER);
      } catch (InvalidReferenceException e) {
        throw new IllegalArgumentException("--tag '" + tag + "' is not a valid tag: " + e.getMessage(), e);
      }
      return target;
    }

    @Override
    public ImageReference reference(AppImage app) {
      return ImageReference.parse("ecr-mirror/" + app.name() + ":" + tag);
    }

    @Override
    public String name(AppImage app) {
      return "ecr-mirror/" + app.name() + ":" + tag;
    }

    Path file(AppImage app) {
      return dir.resolve(app.name() + ".tar");
    }
  }
}
