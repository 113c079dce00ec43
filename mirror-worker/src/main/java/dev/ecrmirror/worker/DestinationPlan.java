package dev.ecrmirror.worker;

import dev.ecrmirror.common.manifest.Manifest;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Plans each destination about to receive a copy: its setup (creating a missing ECR repository,
 * say), then what it already holds, so that only the missing blobs travel. Whether a missing blob
 * can be mounted instead of sent is the blob transfer's to find out, with the registry.
 */
final class DestinationPlan {
  private final RegistryClient client;
  private final PermitPool pool;
  private final Consumer<ImageReference> destinationSetup;
  private final Progress progress;

  DestinationPlan(RegistryClient client, PermitPool pool, Consumer<ImageReference> destinationSetup, Progress progress) {
    this.client = client;
    this.pool = pool;
    this.destinationSetup = destinationSetup;
    this.progress = progress;
  }

  /**
   * Sets each target up and fills in what it holds ({@link Target#presentManifests}, {@link
   * Target#present}); returns the targets still fine, with the bytes each lacks given to the progress.
   */
  List<Target> plan(SourceTree tree, List<Target> targets) {
    setUp(targets);
    List<Target> work = targets.stream().filter(t -> t.failure == null).toList();
    findPresentImages(tree, work);
    findPresentBlobs(tree, work);
    for (Target t : work) {
      progress.plan(t.ref, tree.blobs().values().stream().filter(b -> !t.present.contains(b.digest()))
          .mapToLong(b -> Math.max(b.size(), 0)).sum());
    }
    return work;
  }

  private void setUp(List<Target> targets) {
    List<Future<?>> setups = new ArrayList<>();
    for (Target t : targets) {
      setups.add(pool.submit(() -> {
        try {
          destinationSetup.accept(t.ref);
        } catch (RuntimeException e) {
          t.fail(e);
        }
        return null;
      }));
    }
    Tasks.awaitAll(setups, targets);
  }

  /**
   * Which child images each destination already has: their blobs are there too, since a registry
   * accepts a manifest only once everything it references exists.
   */
  private void findPresentImages(SourceTree tree, List<Target> work) {
    List<Future<?>> checks = new ArrayList<>();
    for (Target t : work) {
      for (Manifest child : tree.children()) {
        checks.add(pool.submit(() -> {
          try {
            if (client.headManifest(t.ref.withDigest(child.digest())).isPresent()) {
              t.presentManifests.add(child.digest());
            }
          } catch (RuntimeException e) {
            t.fail(e);
          }
          return null;
        }));
      }
    }
    Tasks.awaitAll(checks, work);
    for (Target t : work) {
      for (Digest image : t.presentManifests) {
        t.present.addAll(tree.blobsByImage().getOrDefault(image, List.of()));
      }
    }
  }

  /** Asks each destination for the blobs its present images do not account for. */
  private void findPresentBlobs(SourceTree tree, List<Target> work) {
    List<Future<?>> checks = new ArrayList<>();
    for (Target t : work) {
      for (Digest blob : tree.blobs().keySet()) {
        if (!t.present.contains(blob)) {
          checks.add(pool.submit(() -> {
            try {
              if (client.blobExists(t.ref, blob)) {
                t.present.add(blob);
              }
            } catch (RuntimeException e) {
              t.fail(e);
            }
            return null;
          }));
        }
      }
    }
    Tasks.awaitAll(checks, work);
  }
}
