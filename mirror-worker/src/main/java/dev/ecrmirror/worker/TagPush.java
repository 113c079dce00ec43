package dev.ecrmirror.worker;

import dev.ecrmirror.common.registry.RegistryClient;

/**
 * Points a destination's tag at the copied image: its old digest backed up first when the policy
 * says so, then the top manifest pushed by tag (or by digest, for a destination named by one).
 */
final class TagPush {
  private final RegistryClient client;
  private final PermitPool pool;
  private final ExistingTagPolicy existingTags;

  TagPush(RegistryClient client, PermitPool pool, ExistingTagPolicy existingTags) {
    this.client = client;
    this.pool = pool;
    this.existingTags = existingTags;
  }

  /** Tags {@code t}; everything the top manifest references must be there already. */
  void tag(SourceTree tree, Target t) throws Exception {
    if (t.holds.isPresent() && t.ref.tag().isPresent() && existingTags.backsUp()) {
      // Right before the tag moves, once all it will point at is in place: a failed backup leaves the tag alone.
      pool.call(() -> {
        existingTags.backUp(client, t.ref, t.holds.get());
        return null;
      });
    }
    pool.call(() -> {
      client.putManifest(t.ref, t.ref.manifestReference(), tree.top());
      return null;
    });
  }
}
