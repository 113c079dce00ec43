package dev.ecrmirror.worker;

import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.manifest.Manifest;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.registry.RegistryClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Pushes the manifests of a {@link RepositoryRun}, children before parents and each once per
 * destination repository, then each tag's top manifest by tag (after the backup, when the policy
 * asks for one). A tag whose blobs did not all arrive in a repository is not pushed there, so no
 * tag points at an incomplete image.
 */
final class RepositoryPush {
  private final RegistryClient client;
  private final ExecutorService threads;
  private final PermitPool pool;
  private final ExistingTagPolicy existingTags;

  RepositoryPush(RegistryClient client, ExecutorService threads, PermitPool pool, ExistingTagPolicy existingTags) {
    this.client = client;
    this.threads = threads;
    this.pool = pool;
    this.existingTags = existingTags;
  }

  /**
   * Pushes each repository's manifests. First every image manifest under an index that a tag there
   * still needs, each distinct one once and all at once: they are the bulk, and each depends only on
   * blobs that are all in place. Then, repositories side by side but the tags of one repository one
   * after another, any nested index and each tag's top manifest: an index is checked against its
   * children, and a registry checking them while another request writes the same child's link can
   * read it half-written and reject the index (docker-registry answers DIGEST_INVALID).
   */
  void push(List<RepositoryDestination> repos) {
    Map<RepositoryDestination, Map<Digest, Failure>> childErrors = pushImages(repos);
    List<Future<?>> pushes = new ArrayList<>();
    for (RepositoryDestination repo : repos) {
      pushes.add(threads.submit(() -> {
        for (TagSlot slot : repo.work()) {
          push(repo, slot, childErrors.get(repo));
        }
        return null;
      }));
    }
    Tasks.awaitOrThrow(pushes);
  }

  /** Pushes the image manifests under indexes, all at once; returns, per repository, those that failed and why. */
  private Map<RepositoryDestination, Map<Digest, Failure>> pushImages(List<RepositoryDestination> repos) {
    Map<RepositoryDestination, Map<Digest, Failure>> childErrors = new LinkedHashMap<>();
    List<Future<?>> children = new ArrayList<>();
    for (RepositoryDestination repo : repos) {
      Map<Digest, Failure> errors = new ConcurrentHashMap<>();
      childErrors.put(repo, errors);
      if (repo.error() != null) {
        continue;
      }
      Map<Digest, Manifest> images = new LinkedHashMap<>();
      for (TagSlot slot : repo.work()) {
        if (repo.blobError(slot.tag()) == null) {
          slot.tag().children().stream().filter(c -> !c.isIndex() && !repo.holdsManifest(c.digest()))
              .forEach(c -> images.putIfAbsent(c.digest(), c));
        }
      }
      for (Manifest child : images.values()) {
        children.add(pool.submit(() -> {
          try {
            client.putManifest(repo.ref(), child.digest().toString(), child);
            repo.addManifest(child.digest());
          } catch (RuntimeException e) {
            errors.put(child.digest(), Failure.of(e));
          }
          return null;
        }));
      }
    }
    Tasks.awaitOrThrow(children);
    return childErrors;
  }

  /** Pushes the tag's remaining children and then the tag, unless something it needs is missing there. */
  private void push(RepositoryDestination repo, TagSlot slot, Map<Digest, Failure> childErrors) {
    if (repo.error() != null) {
      slot.fail(repo.error());
      return;
    }
    Failure missing = repo.blobError(slot.tag());
    if (missing != null) {
      slot.fail(missing);
      return;
    }
    try {
      for (Manifest child : slot.tag().children()) {
        Failure error = childErrors.get(child.digest());
        if (error != null) {
          slot.fail(error);
          return;
        }
        if (!repo.holdsManifest(child.digest())) {
          pool.run(() -> client.putManifest(repo.ref(), child.digest().toString(), child));
          repo.addManifest(child.digest());
        }
      }
      if (slot.holds().isPresent() && existingTags.backsUp()) {
        // Right before the tag moves, once all it will point at is in place: a failed backup leaves the tag alone.
        pool.run(() -> existingTags.backUp(client, slot.ref(), slot.holds().get()));
      }
      pool.run(() -> client.putManifest(slot.ref(), slot.tag().pin().tag(), slot.tag().top()));
    } catch (RuntimeException e) {
      slot.fail(Failure.of(e));
    }
  }
}
