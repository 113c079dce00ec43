package dev.ecrmirror.worker;

import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.FailureKind;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import java.util.List;
import java.util.Optional;

/**
 * The result of a mirror run.
 *
 * @param source the source as resolved, pinned by digest
 * @param digest the digest written to destinations: the source's, unless platforms were selected
 * @param mediaType the top manifest's media type
 * @param indexRewritten true when a platform selection rewrote the index (its digest changed)
 * @param destinations one result per destination, in the order given
 * @param sourceBytesRead blob bytes read from the source registry in this run
 * @param referrers the signatures, SBOMs and attestations of the image at each destination that got
 *     them in this run (pushed, or found there already); empty when none were copied
 */
public record MirrorReport(ImageReference source, Digest digest, String mediaType, boolean indexRewritten,
    List<DestinationResult> destinations, long sourceBytesRead, List<Referrer> referrers) {

  /**
   * One referrer at one destination.
   *
   * @param destination where it is: a tag ({@code sha256-<hex>.sig}) or, for one found through the
   *     referrers API, a digest
   * @param subject the digest of the image (index or platform manifest) it refers to
   * @param digest its digest, the same as at the source (or, for a referrers index built at a
   *     destination without the referrers API, the digest of that index)
   * @param artifactType what it is ({@code application/vnd.dev.cosign.simplesigning.v1+json}, ...)
   * @param pushed true when this run wrote it, false when the destination held it already
   */
  public record Referrer(ImageReference destination, Digest subject, Digest digest, String artifactType,
      boolean pushed) {}

  public MirrorReport {
    destinations = List.copyOf(destinations);
    referrers = List.copyOf(referrers);
  }

  /** A report without referrers. */
  public MirrorReport(ImageReference source, Digest digest, String mediaType, boolean indexRewritten,
      List<DestinationResult> destinations, long sourceBytesRead) {
    this(source, digest, mediaType, indexRewritten, destinations, sourceBytesRead, List.of());
  }

  /** True when every destination holds the digest (or would, on a dry run). */
  public boolean allOk() {
    return destinations.stream().allMatch(DestinationResult::ok);
  }

  /** The gravest kind among the failed destinations, or empty when none failed. */
  public Optional<FailureKind> worstFailure() {
    return destinations.stream().flatMap(d -> d.failure().stream()).map(Failure::kind).reduce(FailureKind::worst);
  }
}
