package dev.ecrmirror.worker;

import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.manifest.Manifest;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.ref.Pin;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** One pinned tag of a {@link RepositoryRun}, its slot at each destination repository, and, once read, its tree. */
final class RepositoryTag {
  private final Pin pin;
  private final ImageReference source;
  private final List<TagSlot> slots;
  private final AtomicLong sourceBytes = new AtomicLong();
  private Manifest top;
  private boolean rewritten;
  private List<Manifest> children = List.of();
  private Set<Digest> blobs = Set.of();
  /** Why the tag cannot be read from the source; charged to each of its destinations. */
  private Failure error;

  /** The tag {@code pin} names in the source {@code repository}, with a slot in each of {@code destinations}. */
  RepositoryTag(Pin pin, ImageReference repository, List<RepositoryDestination> destinations) {
    this.pin = pin;
    this.source = repository.withTag(pin.tag()).withDigest(pin.digest());
    List<TagSlot> slots = new ArrayList<>();
    for (RepositoryDestination destination : destinations) {
      slots.add(new TagSlot(this, destination));
    }
    this.slots = List.copyOf(slots);
  }

  Pin pin() {
    return pin;
  }

  /** The tag in the source, pinned to its digest. */
  ImageReference source() {
    return source;
  }

  /** The tag at each destination repository, in their order. */
  List<TagSlot> slots() {
    return slots;
  }

  /** The bytes read from the source for the blobs counted for this tag. */
  AtomicLong sourceBytes() {
    return sourceBytes;
  }

  /** The top manifest to push (rewritten with --platform), or null until it is read. */
  Manifest top() {
    return top;
  }

  /** The top is an index filtered by --platform, with a digest of its own. */
  boolean rewritten() {
    return rewritten;
  }

  /** The manifests under the top, children before parents, each once. */
  List<Manifest> children() {
    return children;
  }

  /** The distinct blobs of the tree. */
  Set<Digest> blobs() {
    return blobs;
  }

  Failure error() {
    return error;
  }

  /** The digest the destination tag gets: the top's once read, else the pinned one. */
  Digest finalDigest() {
    return top == null ? pin.digest() : top.digest();
  }

  /** Records the top manifest as it will be pushed. */
  void read(Manifest top, boolean rewritten) {
    this.top = top;
    this.rewritten = rewritten;
  }

  /** Records the tree under the top. */
  void laidOut(List<Manifest> children, Set<Digest> blobs) {
    this.children = children;
    this.blobs = blobs;
  }

  /** Records why the tag cannot be read from the source, unless an earlier failure is recorded. */
  void fail(Failure message) {
    if (error == null) {
      error = message;
    }
  }
}
