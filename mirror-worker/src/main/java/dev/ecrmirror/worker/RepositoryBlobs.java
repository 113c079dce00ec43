package dev.ecrmirror.worker;

import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.manifest.Descriptor;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * Brings the blobs each destination repository of a {@link RepositoryRun} lacks: each distinct blob
 * mounted where the registry allows, else read once from the source and streamed to every
 * repository that lacks it ({@link BlobCopier}).
 */
final class RepositoryBlobs {
  private final PermitPool pool;
  private final BlobCopier copier;
  private final ImageReference source;
  private final RepositoryTrees trees;

  /** Blobs of the source repository {@code source}, described by {@code trees}. */
  RepositoryBlobs(PermitPool pool, BlobCopier copier, ImageReference source, RepositoryTrees trees) {
    this.pool = pool;
    this.copier = copier;
    this.source = source;
    this.trees = trees;
  }

  /**
   * Transfers the blobs the repositories lack, largest first; each repository records how each
   * arrived, or why it did not. The source bytes of a blob count for the first of {@code working},
   * in pin order, that needs it.
   */
  void transfer(List<RepositoryTag> working, List<RepositoryDestination> repos) {
    Map<Digest, List<RepositoryDestination>> needing = new LinkedHashMap<>();
    for (RepositoryDestination repo : repos) {
      if (repo.error() == null) {
        for (Digest blob : repo.missing()) {
          needing.computeIfAbsent(blob, b -> new ArrayList<>()).add(repo);
        }
      }
    }
    // The tag a blob's source read is counted for: the first, in pin order, that needs it.
    Map<Digest, RepositoryTag> reader = new HashMap<>();
    for (RepositoryTag tag : working) {
      tag.blobs().forEach(b -> reader.putIfAbsent(b, tag));
    }
    List<Digest> bySize = new ArrayList<>(needing.keySet());
    bySize.sort(Comparator.comparingLong((Digest d) -> trees.blob(d).size()).reversed());
    List<Future<?>> transfers = new ArrayList<>();
    for (Digest digest : bySize) {
      Descriptor blob = trees.blob(digest);
      Map<ImageReference, RepositoryDestination> byRef = new LinkedHashMap<>();
      needing.get(digest).forEach(r -> byRef.put(r.ref(), r));
      transfers.add(pool.submit(() -> {
        try {
          Map<ImageReference, BlobCopier.Outcome> outcomes = copier.copy(source, blob,
              List.copyOf(byRef.keySet()), reader.get(digest).sourceBytes(), ref -> byRef.get(ref).error() == null);
          outcomes.forEach((ref, outcome) -> {
            RepositoryDestination repo = byRef.get(ref);
            if (outcome.kind() == BlobCopier.Kind.FAILED) {
              repo.blobFailed(digest, outcome.error());
            } else {
              repo.brought(digest, outcome.kind());
            }
          });
        } catch (RuntimeException e) {
          byRef.values().forEach(r -> r.blobFailed(digest, Failure.of(e)));
        }
        return null;
      }));
    }
    Tasks.awaitOrThrow(transfers);
  }
}
