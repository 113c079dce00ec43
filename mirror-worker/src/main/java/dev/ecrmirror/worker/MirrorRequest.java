package dev.ecrmirror.worker;

import dev.ecrmirror.common.manifest.Platform;
import dev.ecrmirror.common.ref.ImageReference;
import java.util.List;
import java.util.Objects;

/**
 * One mirror run: copy {@code source} to every destination.
 *
 * @param source the image to copy, by tag or digest
 * @param destinations where to copy it; a destination without tag or digest takes the source's tag
 * @param platforms the platforms to keep from an index; empty copies every entry unchanged
 * @param dryRun when true, only report what would be copied
 * @param existingTags what to do with a destination tag that holds another digest
 * @param referrers which signatures, SBOMs and attestations go with the image
 */
public record MirrorRequest(ImageReference source, List<ImageReference> destinations, List<Platform> platforms,
    boolean dryRun, ExistingTagPolicy existingTags, ReferrerPolicy referrers) {

  /** A request that overwrites destination tags holding another digest and copies every referrer: the defaults. */
  public MirrorRequest(ImageReference source, List<ImageReference> destinations, List<Platform> platforms,
      boolean dryRun) {
    this(source, destinations, platforms, dryRun, ExistingTagPolicy.overwrite(), ReferrerPolicy.ALL);
  }

  /** A request with this existing-tag policy, copying every referrer. */
  public MirrorRequest(ImageReference source, List<ImageReference> destinations, List<Platform> platforms,
      boolean dryRun, ExistingTagPolicy existingTags) {
    this(source, destinations, platforms, dryRun, existingTags, ReferrerPolicy.ALL);
  }

  /** A request with this referrer policy, overwriting destination tags. */
  public MirrorRequest(ImageReference source, List<ImageReference> destinations, List<Platform> platforms,
      boolean dryRun, ReferrerPolicy referrers) {
    this(source, destinations, platforms, dryRun, ExistingTagPolicy.overwrite(), referrers);
  }

  public MirrorRequest {
    Objects.requireNonNull(existingTags, "existingTags");
    Objects.requireNonNull(referrers, "referrers");
    destinations = List.copyOf(destinations);
    platforms = List.copyOf(platforms);
    if (destinations.isEmpty()) {
      throw new IllegalArgumentException("at least one destination is needed");
    }
  }
}
