package dev.ecrmirror.worker;

import dev.ecrmirror.common.manifest.Platform;
import dev.ecrmirror.common.ref.ImageReference;
import java.util.List;

/**
 * One mirror run: copy {@code source} to every destination.
 *
 * @param source the image to copy, by tag or digest
 * @param destinations where to copy it; a destination without tag or digest takes the source's tag
 * @param platforms the platforms to keep from an index; empty copies every entry unchanged
 * @param dryRun when true, only report what would be copied
 * @param referrers which signatures, SBOMs and attestations go with the image
 */
public record MirrorRequest(ImageReference source, List<ImageReference> destinations, List<Platform> platforms,
    boolean dryRun, ReferrerPolicy referrers) {

  /** A request that copies every referrer with the image: the default. */
  public MirrorRequest(ImageReference source, List<ImageReference> destinations, List<Platform> platforms,
      boolean dryRun) {
    this(source, destinations, platforms, dryRun, ReferrerPolicy.ALL);
  }

  public MirrorRequest {
    destinations = List.copyOf(destinations);
    platforms = List.copyOf(platforms);
    if (destinations.isEmpty()) {
      throw new IllegalArgumentException("at least one destination is needed");
    }
  }
}
