package dev.ecrmirror.worker;

import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.manifest.Manifest;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.ref.Pin;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryClient.ManifestHead;
import dev.ecrmirror.worker.DestinationResult.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * One {@link MirrorEngine#mirror(RepositoryRequest, Progress)} call: many pinned tags of one source
 * repository to the same tags in every destination repository, the work shared across tags.
 *
 * <p>Each destination tag is asked what it holds (HEAD, all at once within the permits); tags
 * already at their pinned digest are left alone. The trees of the others are loaded from the
 * source by digest, each distinct manifest once. Each destination repository is then asked once
 * for each distinct child manifest and blob the union of its tags needs, and each distinct blob
 * is read from the source once for all repositories that lack it. Last, each repository gets its
 * manifests, children before parents and each once: the image manifests under indexes all at once,
 * then tag after tag any nested index and each tag's top manifest. A failure is charged to the tags
 * and destinations it concerns; a tag whose blobs did not all arrive in a repository is not pushed
 * there, so no tag points at an incomplete image.
 *
 * <p>A run follows the data path, one class a step: {@link RepositoryTrees} (resolve the tags'
 * source trees), {@link RepositoryPlan} (set up each destination repository, find what it holds),
 * {@link RepositoryBlobs} (the blobs it lacks), {@link RepositoryPush} (child manifests, then each
 * tag). The run itself decides which tags need work and settles each tag's result.
 */
final class RepositoryRun {
  private final RegistryClient client;
  private final RepositoryRequest request;
  private final PermitPool pool;
  private final BlobFanout fanout;
  private final RepositoryTrees trees;
  private final RepositoryPlan plan;
  private final RepositoryBlobs blobs;
  private final RepositoryPush manifests;
  private final List<RepositoryTag> tags = new ArrayList<>();

  RepositoryRun(RegistryClient client, RepositoryRequest request, ExecutorService threads, int jobs, int retries,
      Consumer<ImageReference> destinationSetup, Duration readTimeout, RangedReads ranged, Progress progress) {
    this.client = client;
    this.request = request;
    this.pool = new PermitPool(threads, jobs, "copy " + request.source().name());
    this.fanout = new BlobFanout(client, threads, Math.max(retries, 1), progress, readTimeout, ranged);
    this.trees = new RepositoryTrees(client, pool, request.source(), request.platforms());
    this.plan = new RepositoryPlan(client, pool, destinationSetup, progress, trees);
    this.blobs = new RepositoryBlobs(pool, new BlobCopier(client, fanout, retries), request.source(), trees);
    this.manifests = new RepositoryPush(client, threads, pool, request.existingTags());
  }

  RepositoryReport execute() {
    List<RepositoryDestination> repos = request.destinations().stream().map(RepositoryDestination::new).toList();
    for (Pin pin : request.pins()) {
      tags.add(new RepositoryTag(pin, request.source(), repos));
    }
    readDestinationTags();
    List<RepositoryTag> working = decide();
    if (!working.isEmpty()) {
      DigestWarmup.start(working.getFirst().pin().digest());
      copy(working, repos);
    }
    return report();
  }

  /**
   * What every destination tag holds now. With --platform the digest to compare with is the
   * rewritten index's, so the top manifests are read first; without, nothing is read from the
   * source unless a tag needs work.
   */
  private void readDestinationTags() {
    Map<TagSlot, Future<Optional<ManifestHead>>> heads = new LinkedHashMap<>();
    for (RepositoryTag tag : tags) {
      for (TagSlot slot : tag.slots()) {
        heads.put(slot, pool.submit(() -> client.headManifest(slot.ref())));
      }
    }
    if (!request.platforms().isEmpty()) {
      trees.loadTops(tags);
    }
    heads.forEach((slot, head) -> {
      try {
        head.get().ifPresent(slot::held);
      } catch (ExecutionException e) {
        slot.fail(Failure.of(e.getCause()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    });
  }

  /**
   * Settles each destination tag that is in sync, refused (--existing-tags keep) or only reported
   * (a dry run), and hands the others to their repository; returns the tags with work, in pin order.
   */
  private List<RepositoryTag> decide() {
    List<RepositoryTag> working = new ArrayList<>();
    for (RepositoryTag tag : tags) {
      for (TagSlot slot : tag.slots()) {
        if (slot.error() != null) {
          continue;
        } else if (tag.error() != null) {
          slot.fail(tag.error());
        } else if (slot.inSync()) {
          slot.settle(new DestinationResult(slot.ref(), Status.IN_SYNC, slot.holds(), 0, 0, 0, 0, slot.elapsed(),
              Optional.empty()));
        } else if (refusal(slot).isPresent()) {
          // --existing-tags keep: the tag is left as it is (a dry run says so the same way).
          slot.fail(refusal(slot).get());
        } else if (request.dryRun()) {
          // What it holds now (empty: it lacks the tag); the report's digest is what it would get.
          slot.settle(new DestinationResult(slot.ref(), Status.WOULD_COPY, slot.holds(), 0, 0, 0, 0, slot.elapsed(),
              Optional.empty()));
        } else {
          slot.destination().add(slot);
          if (working.isEmpty() || working.getLast() != tag) {
            working.add(tag);
          }
        }
      }
    }
    return working;
  }

  /** Under --existing-tags keep, why the slot's tag (holding another digest) must not be written. */
  private Optional<Failure> refusal(TagSlot slot) {
    return slot.holds().flatMap(held -> request.existingTags().refusal(slot.ref(), held, slot.tag().finalDigest()));
  }

  /** Copies the tags with work: their source trees, each repository's plan, the blobs, the manifests, the results. */
  private void copy(List<RepositoryTag> working, List<RepositoryDestination> repos) {
    trees.load(working);
    List<RepositoryDestination> active = plan.plan(repos);
    blobs.transfer(working, active);
    manifests.push(active);
    for (RepositoryDestination repo : active) {
      settle(repo);
    }
  }

  /**
   * The results of the repository's tags. Each distinct blob is counted once per repository, for
   * the first of its tags in pin order, so the figures of a repository's tags add up to what the
   * run did there.
   */
  private void settle(RepositoryDestination repo) {
    Set<Digest> counted = new HashSet<>();
    for (TagSlot slot : repo.work()) {
      int uploaded = 0;
      int mounted = 0;
      int present = 0;
      long bytes = 0;
      for (Digest blob : slot.tag().blobs()) {
        if (!counted.add(blob)) {
          continue;
        }
        BlobCopier.Kind kind = repo.broughtAs(blob);
        if (kind == BlobCopier.Kind.UPLOADED) {
          uploaded++;
          bytes += trees.blob(blob).size();
        } else if (kind == BlobCopier.Kind.MOUNTED) {
          mounted++;
        } else if (repo.holdsBlob(blob) || kind == BlobCopier.Kind.ALREADY_THERE) {
          present++;
        }
      }
      slot.settle(slot.error() != null
          ? new DestinationResult(slot.ref(), Status.FAILED, Optional.empty(), uploaded, mounted, present, bytes,
              slot.elapsed(), Optional.of(slot.error()))
          : new DestinationResult(slot.ref(), Status.COPIED, Optional.of(slot.tag().finalDigest()), uploaded, mounted,
              present, bytes, slot.elapsed(), Optional.empty()));
    }
  }

  /** Each tag's report, its destinations in request order. */
  private RepositoryReport report() {
    List<MirrorReport> reports = new ArrayList<>();
    for (RepositoryTag tag : tags) {
      List<DestinationResult> results = new ArrayList<>();
      String mediaType = tag.top() != null ? tag.top().mediaType() : "";
      for (TagSlot slot : tag.slots()) {
        results.add(slot.result() != null ? slot.result() : failed(slot));
        if (mediaType.isEmpty() && slot.inSync()) {
          mediaType = slot.holdsType(); // in sync there: the same bytes, so the same type
        }
      }
      reports.add(new MirrorReport(tag.source(), tag.finalDigest(), mediaType, tag.rewritten(), results,
          tag.sourceBytes().get()));
    }
    return new RepositoryReport(request.source(), reports, fanout.sourceBytesRead());
  }

  private static DestinationResult failed(TagSlot slot) {
    return new DestinationResult(slot.ref(), Status.FAILED, Optional.empty(), 0, 0, 0, 0, slot.elapsed(),
        Optional.of(slot.error() == null ? Failure.transientFailure("not copied") : slot.error()));
  }

  /** The top manifests read (rewritten with --platform), by the digest each tag was pinned to: the subjects of their referrers. */
  Map<Digest, Manifest> loadedTops() {
    Map<Digest, Manifest> tops = new HashMap<>();
    for (RepositoryTag tag : tags) {
      if (tag.top() != null) {
        tops.putIfAbsent(tag.pin().digest(), tag.top());
      }
    }
    return tops;
  }
}
