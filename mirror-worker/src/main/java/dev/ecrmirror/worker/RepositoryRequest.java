package dev.ecrmirror.worker;

import dev.ecrmirror.common.manifest.Platform;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.ref.Pin;
import java.util.List;
import java.util.Objects;

/**
 * One run over many tags of one source repository: each pinned tag is copied, at its pinned digest,
 * to the same tag in every destination repository, in one pass (each distinct blob read once).
 *
 * @param source the source repository (no tag, no digest)
 * @param destinations the destination repositories (no tag, no digest)
 * @param pins the tags to copy, each with the digest to copy for it
 * @param platforms the platforms to keep from an index; empty copies every entry unchanged
 * @param dryRun when true, only report what would be copied
 * @param existingTags what to do with a destination tag that holds another digest
 * @param referrers which signatures, SBOMs and attestations go with each tag's image
 */
public record RepositoryRequest(ImageReference source, List<ImageReference> destinations, List<Pin> pins,
    List<Platform> platforms, boolean dryRun, ExistingTagPolicy existingTags, ReferrerPolicy referrers) {

  /** A request that overwrites destination tags holding another digest and copies every referrer: the defaults. */
  public RepositoryRequest(ImageReference source, List<ImageReference> destinations, List<Pin> pins,
      List<Platform> platforms, boolean dryRun) {
    this(source, destinations, pins, platforms, dryRun, ExistingTagPolicy.overwrite(), ReferrerPolicy.ALL);
  }

  /** A request with this existing-tag policy, copying every referrer. */
  public RepositoryRequest(ImageReference source, List<ImageReference> destinations, List<Pin> pins,
      List<Platform> platforms, boolean dryRun, ExistingTagPolicy existingTags) {
    this(source, destinations, pins, platforms, dryRun, existingTags, ReferrerPolicy.ALL);
  }

  /** A request with this referrer policy, overwriting destination tags. */
  public RepositoryRequest(ImageReference source, List<ImageReference> destinations, List<Pin> pins,
      List<Platform> platforms, boolean dryRun, ReferrerPolicy referrers) {
    this(source, destinations, pins, platforms, dryRun, ExistingTagPolicy.overwrite(), referrers);
  }

  public RepositoryRequest {
    Objects.requireNonNull(existingTags, "existingTags");
    Objects.requireNonNull(referrers, "referrers");
    destinations = List.copyOf(destinations);
    pins = List.copyOf(pins);
    platforms = List.copyOf(platforms);
    if (!source.isBare()) {
      throw new IllegalArgumentException("source " + source + " names a tag or digest; a repository copy takes a repository");
    }
    for (ImageReference d : destinations) {
      if (!d.isBare()) {
        throw new IllegalArgumentException("destination " + d + " names a tag or digest; a repository copy takes repositories");
      }
    }
    if (destinations.isEmpty()) {
      throw new IllegalArgumentException("at least one destination is needed");
    }
  }
}
