package dev.ecrmirror.worker;

import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.LazyLogger;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Plans each destination repository of a {@link RepositoryRun}: its setup (creating a missing ECR
 * repository, say), then what it already holds of the union of its tags' trees, each distinct child
 * manifest and blob asked for once, so that only the missing blobs travel.
 */
final class RepositoryPlan {
  private static final LazyLogger LOG = LazyLogger.of(RepositoryPlan.class);

  private final RegistryClient client;
  private final PermitPool pool;
  private final Consumer<ImageReference> destinationSetup;
  private final Progress progress;
  private final RepositoryTrees trees;

  RepositoryPlan(RegistryClient client, PermitPool pool, Consumer<ImageReference> destinationSetup, Progress progress,
      RepositoryTrees trees) {
    this.client = client;
    this.pool = pool;
    this.destinationSetup = destinationSetup;
    this.progress = progress;
    this.trees = trees;
  }

  /**
   * Drops the tags the source could not give, sets up each repository left with work and fills in
   * what it holds; returns those repositories (a failed setup included, as {@link
   * RepositoryDestination#error}), with the bytes each lacks given to the progress.
   */
  List<RepositoryDestination> plan(List<RepositoryDestination> repos) {
    List<RepositoryDestination> active = new ArrayList<>();
    for (RepositoryDestination repo : repos) {
      repo.dropUnreadTags();
      if (!repo.work().isEmpty()) {
        active.add(repo);
      }
    }
    setUp(active);
    findPresentImages(active);
    findPresentBlobs(active);
    for (RepositoryDestination repo : active) {
      if (repo.error() == null) {
        progress.plan(repo.ref(), repo.missing().stream().mapToLong(d -> Math.max(trees.blob(d).size(), 0)).sum());
      }
    }
    return active;
  }

  /** Runs the destination setup once per repository. */
  private void setUp(List<RepositoryDestination> repos) {
    List<Future<?>> setups = new ArrayList<>();
    for (RepositoryDestination repo : repos) {
      setups.add(pool.submit(() -> {
        try {
          destinationSetup.accept(repo.ref());
        } catch (RuntimeException e) {
          repo.fail(Failure.of(e));
        }
        return null;
      }));
    }
    Tasks.awaitOrThrow(setups);
  }

  /**
   * Asks each repository once for each child manifest its tags need: a child present means its
   * blobs are, since a registry accepts a manifest only once what it references exists.
   */
  private void findPresentImages(List<RepositoryDestination> repos) {
    List<Future<?>> checks = new ArrayList<>();
    for (RepositoryDestination repo : repos) {
      if (repo.error() != null) {
        continue;
      }
      Set<Digest> children = new LinkedHashSet<>();
      repo.work().forEach(slot -> slot.tag().children().forEach(c -> children.add(c.digest())));
      for (Digest child : children) {
        checks.add(pool.submit(() -> {
          try {
            if (client.headManifest(repo.ref().withDigest(child)).isPresent()) {
              repo.addManifest(child);
            }
          } catch (RuntimeException e) {
            LOG.get().debug("check of manifest {} in {} failed; checking its blobs instead: {}", child.shortHex(),
                repo.ref().name(), e.getMessage());
          }
          return null;
        }));
      }
    }
    Tasks.awaitOrThrow(checks);
  }

  /** Asks each repository once for each blob its present images do not account for. */
  private void findPresentBlobs(List<RepositoryDestination> repos) {
    List<Future<?>> checks = new ArrayList<>();
    for (RepositoryDestination repo : repos) {
      if (repo.error() != null) {
        continue;
      }
      for (Digest image : repo.presentManifests()) {
        repo.addBlobs(trees.blobsOf(image));
      }
      for (Digest blob : repo.needed()) {
        if (!repo.holdsBlob(blob)) {
          checks.add(pool.submit(() -> {
            try {
              if (client.blobExists(repo.ref(), blob)) {
                repo.addBlob(blob);
              }
            } catch (RuntimeException e) {
              repo.blobFailed(blob, Failure.of(e));
            }
            return null;
          }));
        }
      }
    }
    Tasks.awaitOrThrow(checks);
  }
}
