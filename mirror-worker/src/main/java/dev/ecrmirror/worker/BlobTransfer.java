package dev.ecrmirror.worker;

import dev.ecrmirror.common.manifest.Descriptor;
import dev.ecrmirror.common.ref.ImageReference;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Brings every blob of the tree to every destination that lacks it: mounted where the registry
 * allows, else read once from the source and streamed to all of them ({@link BlobCopier}).
 */
final class BlobTransfer {
  private final PermitPool pool;
  private final BlobCopier copier;

  BlobTransfer(PermitPool pool, BlobCopier copier) {
    this.pool = pool;
    this.copier = copier;
  }

  /** Transfers the blobs, largest first; a destination that does not get one has failed. */
  void transfer(SourceTree tree, ImageReference source, List<Target> work) {
    List<Future<?>> transfers = new ArrayList<>();
    // Largest first: the longest transfers start at once, and the small ones fill in around them
    // instead of one big layer starting last and running alone.
    List<Descriptor> bySize = new ArrayList<>(tree.blobs().values());
    bySize.sort(Comparator.comparingLong(Descriptor::size).reversed());
    for (Descriptor blob : bySize) {
      List<Target> needing = work.stream().filter(t -> t.failure == null && !t.present.contains(blob.digest())).toList();
      if (!needing.isEmpty()) {
        transfers.add(pool.submit(() -> {
          try {
            transferBlob(source, blob, needing);
          } catch (RuntimeException e) {
            needing.forEach(t -> t.fail(e));
          }
          return null;
        }));
      }
    }
    Tasks.awaitAll(transfers, work);
  }

  /** Mount where the registry allows, else one read of the source streamed to all that still lack it. */
  private void transferBlob(ImageReference source, Descriptor blob, List<Target> needing) throws InterruptedException {
    // The first target per reference stands for it: a destination named twice is written once.
    Map<ImageReference, Target> byRef = new LinkedHashMap<>();
    for (Target t : needing) {
      byRef.putIfAbsent(t.ref, t);
    }
    Map<ImageReference, BlobCopier.Outcome> outcomes = copier.copy(source, blob, List.copyOf(byRef.keySet()),
        new AtomicLong(), ref -> byRef.get(ref).failure == null);
    outcomes.forEach((ref, outcome) -> {
      Target t = byRef.get(ref);
      switch (outcome.kind()) {
        case UPLOADED -> t.countUpload(blob.size());
        case MOUNTED -> t.countMount();
        case ALREADY_THERE -> { }
        case FAILED -> t.fail(outcome.error());
      }
    });
  }
}
