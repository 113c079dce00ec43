package dev.ecrmirror.worker;

import dev.ecrmirror.common.FailureKind;
import dev.ecrmirror.common.ref.ImageReference;
import java.util.List;
import java.util.Optional;

/**
 * The result of a repository run: one {@link MirrorReport} per pinned tag, in the order pinned.
 *
 * @param source the source repository
 * @param tags per tag: the source pinned by digest and one result per destination (with that tag)
 * @param sourceBytesRead blob bytes read from the source registry in the whole run
 */
public record RepositoryReport(ImageReference source, List<MirrorReport> tags, long sourceBytesRead) {

  public RepositoryReport {
    tags = List.copyOf(tags);
  }

  /** True when every destination holds every tag's digest (or would, on a dry run). */
  public boolean allOk() {
    return tags.stream().allMatch(MirrorReport::allOk);
  }

  /** The gravest kind among every tag's failed destinations, or empty when none failed. */
  public Optional<FailureKind> worstFailure() {
    return tags.stream().flatMap(t -> t.worstFailure().stream()).reduce(FailureKind::worst);
  }
}
