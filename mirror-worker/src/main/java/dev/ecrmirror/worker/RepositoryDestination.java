package dev.ecrmirror.worker;

import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One destination repository of a {@link RepositoryRun}: its tags to copy, what it holds, and what
 * could not be brought there.
 */
final class RepositoryDestination {
  private final ImageReference ref;
  private final Set<Digest> presentManifests = ConcurrentHashMap.newKeySet();
  private final Set<Digest> presentBlobs = ConcurrentHashMap.newKeySet();
  private final Map<Digest, Failure> blobErrors = new ConcurrentHashMap<>();
  private final Map<Digest, BlobCopier.Kind> brought = new ConcurrentHashMap<>();
  private final List<TagSlot> work = new ArrayList<>();
  private volatile Failure error;

  RepositoryDestination(ImageReference ref) {
    this.ref = ref;
  }

  ImageReference ref() {
    return ref;
  }

  /** Why nothing can be copied here (its setup failed, say), or null. */
  Failure error() {
    return error;
  }

  void fail(Failure message) {
    if (error == null) {
      error = message;
    }
  }

  /** The tags to copy here, in pin order. */
  List<TagSlot> work() {
    return Collections.unmodifiableList(work);
  }

  void add(TagSlot slot) {
    work.add(slot);
  }

  /** Drops the tags that could not be read from the source, charging each slot its tag's failure. */
  void dropUnreadTags() {
    work.removeIf(slot -> {
      if (slot.tag().error() != null) {
        slot.fail(slot.tag().error());
        return true;
      }
      return false;
    });
  }

  boolean holdsManifest(Digest manifest) {
    return presentManifests.contains(manifest);
  }

  void addManifest(Digest manifest) {
    presentManifests.add(manifest);
  }

  /** The child manifests found or pushed here. */
  Set<Digest> presentManifests() {
    return Collections.unmodifiableSet(presentManifests);
  }

  /** Whether the blob was found here before the transfer. */
  boolean holdsBlob(Digest blob) {
    return presentBlobs.contains(blob);
  }

  void addBlob(Digest blob) {
    presentBlobs.add(blob);
  }

  void addBlobs(Collection<Digest> blobs) {
    presentBlobs.addAll(blobs);
  }

  /** Records why the blob is not here. */
  void blobFailed(Digest blob, Failure error) {
    blobErrors.put(blob, error);
  }

  /** Records how the transfer brought the blob here. */
  void brought(Digest blob, BlobCopier.Kind kind) {
    brought.put(blob, kind);
  }

  /** How the transfer brought the blob here, or null when it did not. */
  BlobCopier.Kind broughtAs(Digest blob) {
    return brought.get(blob);
  }

  /** Why one of the tag's blobs is not here, or null when all are. */
  Failure blobError(RepositoryTag tag) {
    for (Digest blob : tag.blobs()) {
      Failure error = blobErrors.get(blob);
      if (error != null) {
        return error;
      }
    }
    return null;
  }

  /** The distinct blobs of the tags to copy here, in tag order. */
  Set<Digest> needed() {
    Set<Digest> out = new LinkedHashSet<>();
    work.forEach(slot -> out.addAll(slot.tag().blobs()));
    return out;
  }

  /** The blobs needed here that are neither present nor known to have failed. */
  Set<Digest> missing() {
    Set<Digest> out = needed();
    out.removeAll(presentBlobs);
    out.removeAll(blobErrors.keySet());
    return out;
  }
}
