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
 */
public record MirrorReport(ImageReference source, Digest digest, String mediaType, boolean indexRewritten,
    List<DestinationResult> destinations, long sourceBytesRead) {

  public MirrorReport {
    destinations = List.copyOf(destinations);
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
