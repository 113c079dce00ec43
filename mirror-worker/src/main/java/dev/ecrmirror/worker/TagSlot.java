package dev.ecrmirror.worker;

import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient.ManifestHead;
import java.time.Duration;
import java.util.Optional;

/**
 * One tag of a {@link RepositoryRun} at one destination repository: what the tag holds there, and
 * how its copy there ended.
 */
final class TagSlot {
  private final RepositoryTag tag;
  private final RepositoryDestination destination;
  private final ImageReference ref;
  private final long started = System.nanoTime();
  private Optional<Digest> holds = Optional.empty();
  private String holdsType = "";
  private Failure error;
  private DestinationResult result;

  TagSlot(RepositoryTag tag, RepositoryDestination destination) {
    this.tag = tag;
    this.destination = destination;
    this.ref = destination.ref().withTag(tag.pin().tag());
  }

  RepositoryTag tag() {
    return tag;
  }

  RepositoryDestination destination() {
    return destination;
  }

  /** The destination tag. */
  ImageReference ref() {
    return ref;
  }

  Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - started);
  }

  /** The digest the destination tag holds before the copy, if any. */
  Optional<Digest> holds() {
    return holds;
  }

  /** The media type of what the destination tag holds, or empty. */
  String holdsType() {
    return holdsType;
  }

  /** Records what the destination tag holds before the copy. */
  void held(ManifestHead head) {
    holds = Optional.of(head.digest());
    holdsType = head.mediaType();
  }

  /** The destination tag already holds the digest it is to get. */
  boolean inSync() {
    return holds.isPresent() && holds.get().equals(tag.finalDigest());
  }

  Failure error() {
    return error;
  }

  void fail(Failure message) {
    if (error == null) {
      error = message;
    }
  }

  /** The outcome here, or null while there is none. */
  DestinationResult result() {
    return result;
  }

  void settle(DestinationResult result) {
    this.result = result;
  }
}
