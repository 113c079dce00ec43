package dev.ecrmirror.worker;

import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.FailureKind;
import dev.ecrmirror.common.Failures;
import dev.ecrmirror.common.manifest.Descriptor;
import dev.ecrmirror.common.manifest.Manifest;
import dev.ecrmirror.common.manifest.Platform;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * The source side of a {@link RepositoryRun}: each tag's top manifest, read by its pinned digest
 * (rewritten with --platform), and the tree under it, each distinct manifest read once for all tags.
 * Holds every manifest and blob of the tags that need work, each once, for the steps after it.
 */
final class RepositoryTrees {
  private final RegistryClient client;
  private final PermitPool pool;
  private final ImageReference source;
  private final List<Platform> platforms;
  private final Map<Digest, Manifest> manifests = new HashMap<>();
  private final Map<Digest, Failure> manifestErrors = new HashMap<>();
  private final Map<Digest, Descriptor> blobs = new LinkedHashMap<>();
  private final Map<Digest, List<Digest>> blobsByImage = new HashMap<>();

  /** The trees of tags of the source repository {@code source}; only {@code platforms} when any are named. */
  RepositoryTrees(RegistryClient client, PermitPool pool, ImageReference source, List<Platform> platforms) {
    this.client = client;
    this.pool = pool;
    this.source = source;
    this.platforms = platforms;
  }

  /** Reads the trees of the tags that need work; a tag that cannot be read records why. */
  void load(List<RepositoryTag> working) {
    loadTops(working.stream().filter(t -> t.top() == null && t.error() == null).toList());
    loadTrees(working);
  }

  /** The blob with this digest, as a manifest of the loaded trees references it. */
  Descriptor blob(Digest digest) {
    return blobs.get(digest);
  }

  /** The blobs of a single-platform manifest of the loaded trees: a repository holding it holds them. */
  List<Digest> blobsOf(Digest image) {
    return blobsByImage.getOrDefault(image, List.of());
  }

  /** Reads each tag's top manifest by its pinned digest, rewriting it when platforms are selected. */
  void loadTops(List<RepositoryTag> tags) {
    Map<RepositoryTag, Future<Manifest>> tops = new LinkedHashMap<>();
    for (RepositoryTag tag : tags) {
      tops.put(tag, pool.submit(() -> client.getManifest(source, tag.pin().digest().toString())));
    }
    tops.forEach((tag, f) -> {
      try {
        Manifest read = f.get();
        manifests.put(read.digest(), read);
        Manifest top = SourceTree.selectPlatforms(read, tag.source(), platforms);
        tag.read(top, !top.digest().equals(read.digest()));
      } catch (ExecutionException e) {
        tag.fail(Failure.of(e.getCause()));
      } catch (IllegalArgumentException e) {
        // No platform of the image matches --platform: the request cannot be met until the image changes.
        tag.fail(new Failure(FailureKind.PERMANENT, Failures.describe(e)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    });
  }

  /**
   * Fetches every child manifest of the tags' indexes by digest, each distinct one once, level by
   * level from this thread (a task never waits for another, so the permits cannot deadlock), then
   * lays out each tag's tree from what was fetched.
   */
  private void loadTrees(List<RepositoryTag> tags) {
    Set<Digest> frontier = new LinkedHashSet<>();
    for (RepositoryTag tag : tags) {
      if (tag.error() == null && tag.top().isIndex()) {
        tag.top().references().forEach(d -> frontier.add(d.digest()));
      }
    }
    while (!frontier.isEmpty()) {
      Map<Digest, Future<Manifest>> fetches = new LinkedHashMap<>();
      for (Digest d : frontier) {
        if (!manifests.containsKey(d) && !manifestErrors.containsKey(d)) {
          fetches.put(d, pool.submit(() -> client.getManifest(source, d.toString())));
        }
      }
      frontier.clear();
      for (Map.Entry<Digest, Future<Manifest>> e : fetches.entrySet()) {
        try {
          Manifest m = e.getValue().get();
          manifests.put(m.digest(), m);
          if (m.isIndex()) {
            m.references().forEach(d -> frontier.add(d.digest()));
          }
        } catch (ExecutionException ex) {
          manifestErrors.put(e.getKey(), Failure.of(ex.getCause()));
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", ex);
        }
      }
    }
    for (RepositoryTag tag : tags) {
      if (tag.error() != null) {
        continue;
      }
      List<Manifest> children = new ArrayList<>();
      Set<Digest> own = new LinkedHashSet<>();
      try {
        collect(tag.top(), children, own, new HashSet<>());
        children.remove(tag.top());
        tag.laidOut(children, own);
      } catch (UnreadManifest e) {
        tag.fail(e.failure);
      }
    }
  }

  private void collect(Manifest manifest, List<Manifest> children, Set<Digest> own, Set<Digest> seen) {
    if (!seen.add(manifest.digest())) {
      return;
    }
    if (manifest.isIndex()) {
      for (Descriptor entry : manifest.references()) {
        Manifest child = manifests.get(entry.digest());
        if (child == null) {
          throw new UnreadManifest(manifestErrors.getOrDefault(entry.digest(),
              Failure.transientFailure("manifest " + entry.digest() + " was not read")));
        }
        collect(child, children, own, seen);
      }
    } else {
      List<Digest> image = new ArrayList<>();
      for (Descriptor blob : manifest.references()) {
        blobs.putIfAbsent(blob.digest(), blob);
        own.add(blob.digest());
        image.add(blob.digest());
      }
      blobsByImage.put(manifest.digest(), image);
    }
    // Children before parents: a registry checks that what a manifest references exists.
    children.add(manifest);
  }

  /** A child manifest of a tag that could not be read from the source, and why. */
  private static final class UnreadManifest extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient Failure failure;

    UnreadManifest(Failure failure) {
      super(failure.message(), null, false, false);
      this.failure = failure;
    }
  }
}
