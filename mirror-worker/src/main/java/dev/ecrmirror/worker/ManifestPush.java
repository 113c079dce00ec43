package dev.ecrmirror.worker;

import dev.ecrmirror.common.manifest.Manifest;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.registry.RegistryClient;
import java.util.Set;

/**
 * Pushes the child manifests a destination lacks, bottom-up and by digest, once its blobs are all
 * there: what a tag will point at, complete before the tag moves.
 */
final class ManifestPush {
  private final RegistryClient client;
  private final PermitPool pool;

  ManifestPush(RegistryClient client, PermitPool pool) {
    this.client = client;
    this.pool = pool;
  }

  /** Pushes the children {@code t} lacks ({@code pushed}: already pushed to its repository in this run). */
  void push(SourceTree tree, Target t, Set<Digest> pushed) throws Exception {
    for (Manifest child : tree.children()) {
      if (!t.presentManifests.contains(child.digest()) && !pushed.contains(child.digest())) {
        pool.call(() -> {
          client.putManifest(t.ref, child.digest().toString(), child);
          return null;
        });
        pushed.add(child.digest());
      }
    }
  }
}
