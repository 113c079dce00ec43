package dev.ecrmirror.worker;

import dev.ecrmirror.common.LazyLogger;
import dev.ecrmirror.common.manifest.Descriptor;
import dev.ecrmirror.common.manifest.Manifest;
import dev.ecrmirror.common.manifest.Platform;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * The pinned source: its top manifest and every child manifest and blob under it, children before
 * parents (the order a registry accepts them in).
 *
 * @param blobsByImage each single-platform manifest's blobs: a destination holding that manifest holds them
 * @param rewritten the top is an index filtered by --platform, with a digest of its own
 */
record SourceTree(Manifest top, List<Manifest> children, Map<Digest, Descriptor> blobs,
    Map<Digest, List<Digest>> blobsByImage, boolean rewritten) {
  private static final LazyLogger LOG = LazyLogger.of(SourceTree.class);
  /** The annotation an attestation manifest of an index names the image it is about with. */
  static final String REFERENCE_DIGEST = "vnd.docker.reference.digest";

  /** Reads the tree under {@code pinned}, child manifests in parallel; only {@code platforms} when any are named. */
  static SourceTree load(RegistryClient client, PermitPool pool, ImageReference pinned, List<Platform> platforms) {
    Manifest read = client.getManifest(pinned);
    Manifest top = selectPlatforms(read, pinned, platforms);
    boolean rewritten = !top.digest().equals(read.digest());
    List<Manifest> children = new ArrayList<>();
    Map<Digest, Descriptor> blobs = new LinkedHashMap<>();
    Map<Digest, List<Digest>> byImage = new LinkedHashMap<>();
    collect(client, pool, pinned, top, children, blobs, byImage, new LinkedHashSet<>());
    children.remove(top);
    return new SourceTree(top, children, blobs, byImage, rewritten);
  }

  private static void collect(RegistryClient client, PermitPool pool, ImageReference repo, Manifest manifest,
      List<Manifest> children, Map<Digest, Descriptor> blobs, Map<Digest, List<Digest>> byImage, Set<Digest> seen) {
    if (!seen.add(manifest.digest())) {
      return;
    }
    if (manifest.isIndex()) {
      List<Future<Manifest>> fetches = new ArrayList<>();
      for (Descriptor entry : manifest.references()) {
        fetches.add(pool.submit(() -> client.getManifest(repo, entry.digest().toString())));
      }
      for (Future<Manifest> f : fetches) {
        collect(client, pool, repo, Tasks.await(f), children, blobs, byImage, seen);
      }
    } else {
      List<Digest> own = new ArrayList<>();
      for (Descriptor blob : manifest.references()) {
        blobs.putIfAbsent(blob.digest(), blob);
        own.add(blob.digest());
      }
      byImage.put(manifest.digest(), own);
    }
    // Children before parents: a registry checks that what a manifest references exists.
    children.add(manifest);
  }

  /**
   * The top manifest to copy for {@code platforms}: the index filtered by {@link #filterPlatforms};
   * {@code top} itself when no platform is named, or when it is a single-platform image (with a
   * warning). Throws {@link IllegalArgumentException} when no platform of the index matches.
   */
  static Manifest selectPlatforms(Manifest top, ImageReference pinned, List<Platform> platforms) {
    if (platforms.isEmpty()) {
      return top;
    }
    if (!top.isIndex()) {
      LOG.get().warn("{} is a single-platform image ({}); --platform does not apply, copying it as is",
          pinned, top.mediaType());
      return top;
    }
    return filterPlatforms(top, pinned, platforms);
  }

  /**
   * The index with only the entries for {@code wanted} platforms, and the attestations (SBOM,
   * provenance) that describe a kept image; throws {@link IllegalArgumentException} naming the
   * platforms the index has when none matches.
   */
  static Manifest filterPlatforms(Manifest index, ImageReference pinned, List<Platform> wanted) {
    Set<Digest> kept = new LinkedHashSet<>();
    for (Descriptor d : index.references()) {
      if (d.platform().isPresent() && wanted.stream().anyMatch(w -> w.selects(d.platform().get()))) {
        kept.add(d.digest());
      }
    }
    if (kept.isEmpty()) {
      String available = index.references().stream().flatMap(d -> d.platform().stream()).map(Platform::toString)
          .filter(p -> !p.startsWith("unknown/")).distinct().collect(Collectors.joining(", "));
      throw new IllegalArgumentException("no platform of " + pinned + " matches --platform "
          + wanted.stream().map(Platform::toString).collect(Collectors.joining(",")) + "; it has: " + available);
    }
    return index.filterIndex(d -> kept.contains(d.digest())
        || (d.annotations().containsKey(REFERENCE_DIGEST) && kept.contains(Digest.parse(d.annotations().get(REFERENCE_DIGEST)))));
  }
}
