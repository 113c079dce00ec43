package dev.ecrmirror.worker;

import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.manifest.Manifest;
import dev.ecrmirror.common.manifest.Platform;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryClient.ManifestHead;
import dev.ecrmirror.common.registry.RegistryException;
import dev.ecrmirror.worker.DestinationResult.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Copies one image, every platform and byte for byte, to many destinations in one pass.
 *
 * <p>The source is pinned by digest first. Each destination already at that digest is left alone.
 * For the rest: blobs first (skipped when present, mounted when the registry can, else read once
 * from the source and streamed to all destinations that lack them), then child manifests by digest,
 * then the top manifest by tag. A destination whose blobs did not all arrive gets no manifest, so
 * no tag ever points at an incomplete image; one failing destination does not stop the others.
 *
 * <p>A copy follows the data path, one class a step: {@link SourceTree} (resolve the source tree),
 * {@link DestinationPlan} (what each destination holds), {@link BlobTransfer} (the blobs it lacks),
 * {@link ManifestPush} (child manifests, bottom-up), {@link TagPush} (the tag).
 */
public final class MirrorEngine {

  private final RegistryClient client;
  private final int jobs;
  private final int retries;
  private final Consumer<ImageReference> destinationSetup;
  private final Duration readTimeout;
  private final RangedReads ranged;

  /** A blob download that receives nothing for this long is dropped and resumed. */
  public static final Duration DEFAULT_READ_TIMEOUT = RegistryClient.DEFAULT_READ_TIMEOUT;

  /**
   * {@code jobs} bounds the registry operations (blob checks, transfers, pushes) run at once; a blob
   * transfer that fails for a passing reason is tried {@code retries} more times; a blob download
   * that receives nothing for {@code readTimeout} is dropped and resumed. Built by {@link MirrorEngines}.
   */
  MirrorEngine(RegistryClient client, int jobs, int retries, Duration readTimeout) {
    this(client, jobs, retries, destination -> { }, readTimeout, RangedReads.DEFAULT);
  }

  private MirrorEngine(RegistryClient client, int jobs, int retries, Consumer<ImageReference> destinationSetup,
      Duration readTimeout, RangedReads ranged) {
    if (jobs < 1) {
      throw new IllegalArgumentException("jobs must be at least 1, not " + jobs);
    }
    if (retries < 0) {
      throw new IllegalArgumentException("retries must be 0 or more, not " + retries);
    }
    if (readTimeout.isNegative() || readTimeout.isZero()) {
      throw new IllegalArgumentException("read timeout must be positive, not " + readTimeout);
    }
    this.client = client;
    this.jobs = jobs;
    this.retries = retries;
    this.destinationSetup = destinationSetup;
    this.readTimeout = readTimeout;
    this.ranged = ranged;
  }

  /**
   * The same engine, running {@code setup} for each destination about to receive a copy (before
   * any blob): creating a missing ECR repository, say. A setup that throws fails that destination.
   */
  MirrorEngine withDestinationSetup(Consumer<ImageReference> setup) {
    return new MirrorEngine(client, jobs, retries, setup, readTimeout, ranged);
  }

  /** The registry operations it runs at once ({@code --jobs}). */
  int jobs() {
    return jobs;
  }

  /** The same engine, running at most {@code n} registry operations at once. */
  MirrorEngine withJobs(int n) {
    return new MirrorEngine(client, n, retries, destinationSetup, readTimeout, ranged);
  }

  /** The same engine, reading large blobs in ranges as {@code reads} says. */
  MirrorEngine withRangedReads(RangedReads reads) {
    return new MirrorEngine(client, jobs, retries, destinationSetup, readTimeout, reads);
  }

  /** Runs the copy; throws {@link RegistryException} if the source cannot be read. */
  public MirrorReport mirror(MirrorRequest request) {
    return mirror(request, new Progress());
  }

  /** Runs the copy, recording bytes sent per destination in {@code progress} as it goes. */
  public MirrorReport mirror(MirrorRequest request, Progress progress) {
    // Platform threads, not virtual ones: socket I/O on virtual threads starts the JDK's poller
    // threads, which wait in native code, and the JVM then waits 300 ms for them when it exits
    // (a third of a run that finds everything in sync). The permits bound how many run at once.
    // Every task the run starts is awaited by the run, so at its end nothing is left to wait for
    // but a request still timing out after a failure elsewhere: those are dropped, not waited on.
    ExecutorService threads = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("mirror-", 0).factory());
    try {
      // --referrers-only: the image is only checked (as a dry run would), its referrers then copied.
      Run run = new Run(request.referrers().only() ? new MirrorRequest(request.source(), request.destinations(),
          request.platforms(), true, request.existingTags(), request.referrers()) : request, threads, progress);
      MirrorReport report = run.execute();
      return ReferrerCopy.after(this, client, request.source(), request.referrers(), request.dryRun(),
          List.of(new ReferrerCopy.Image(report, Optional.ofNullable(run.loadedTop)))).getFirst();
    } finally {
      threads.shutdownNow();
    }
  }

  /**
   * Copies many tags of one repository in one pass: every tag at its pinned digest, to the same tag
   * in each destination repository; each distinct blob is read from the source at most once.
   */
  public RepositoryReport mirror(RepositoryRequest request, Progress progress) {
    // Platform threads, as for one image (see above).
    ExecutorService threads = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("mirror-", 0).factory());
    try {
      RepositoryRequest images = request.referrers().only() ? new RepositoryRequest(request.source(),
          request.destinations(), request.pins(), request.platforms(), true, request.existingTags(), request.referrers()) : request;
      RepositoryRun run = new RepositoryRun(client, images, threads, jobs, retries, destinationSetup, readTimeout, ranged, progress);
      RepositoryReport report = run.execute();
      Map<Digest, Manifest> tops = run.loadedTops();
      List<ReferrerCopy.Image> tags = report.tags().stream()
          .map(t -> new ReferrerCopy.Image(t, Optional.ofNullable(tops.get(t.source().digest().orElseThrow())))).toList();
      return new RepositoryReport(report.source(), ReferrerCopy.after(this, client, request.source(), request.referrers(),
          request.dryRun(), tags), report.sourceBytesRead());
    } finally {
      threads.shutdownNow();
    }
  }

  /** The state of one {@link #mirror} call. */
  private final class Run {
    private final MirrorRequest request;
    private final ExecutorService threads;
    private final PermitPool pool;
    private final BlobFanout fanout;
    private final DestinationPlan plan;
    private final BlobTransfer blobs;
    private final ManifestPush manifests;
    private final TagPush tagging;
    /** The top manifest written (or to write), once read: the subjects of the image's referrers. */
    Manifest loadedTop;

    Run(MirrorRequest request, ExecutorService threads, Progress progress) {
      this.request = request;
      this.threads = threads;
      this.pool = new PermitPool(threads, jobs, "copy " + request.source());
      this.fanout = new BlobFanout(client, threads, Math.max(retries, 1), progress, readTimeout, ranged);
      this.plan = new DestinationPlan(client, pool, destinationSetup, progress);
      this.blobs = new BlobTransfer(pool, new BlobCopier(client, fanout, retries));
      this.manifests = new ManifestPush(client, pool);
      this.tagging = new TagPush(client, pool, request.existingTags());
    }

    MirrorReport execute() {
      ImageReference source = request.source();
      boolean filtering = !request.platforms().isEmpty();
      // The destinations are asked what they hold while the source is: their references never
      // depend on its answer, so a run with nothing to do costs one round trip, not two.
      List<Target> targets = resolveTargets();
      Map<Target, Future<Optional<Digest>>> destinationHeads = startDestinationChecks(targets);
      // HEAD first, even for a digest: when every destination is already in sync this is all we
      // read (Docker Hub does not count HEADs against the pull limit), and it proves the source exists.
      ManifestHead head = client.headManifest(source).orElseThrow(() -> new RegistryException(
          "resolve source " + source, 404, "MANIFEST_UNKNOWN", "no such image"));
      Digest sourceDigest = source.digest().orElse(head.digest());
      String mediaType = head.mediaType();
      ImageReference pinned = source.withDigest(sourceDigest);
      checkDigestDestinations(targets, sourceDigest);

      SourceTree tree = null;
      Digest finalDigest = sourceDigest;
      if (filtering) {
        tree = SourceTree.load(client, pool, pinned, request.platforms());
        finalDigest = tree.top().digest();
        mediaType = tree.top().mediaType();
      }
      Map<Target, Optional<Digest>> current = awaitDestinationChecks(targets, destinationHeads);
      List<Target> work = new ArrayList<>();
      List<DestinationResult> results = new ArrayList<>();
      Map<Target, DestinationResult> done = new LinkedHashMap<>();
      for (Target t : targets) {
        Optional<Digest> at = current.get(t);
        Digest wanted = finalDigest;
        Optional<Failure> refused = at.flatMap(held -> request.existingTags().refusal(t.ref, held, wanted));
        if (t.failure != null) {
          done.put(t, failed(t));
        } else if (at.isPresent() && at.get().equals(finalDigest)) {
          done.put(t, new DestinationResult(t.ref, Status.IN_SYNC, at, 0, 0, 0, 0, t.elapsed(), Optional.empty()));
        } else if (refused.isPresent()) {
          // --existing-tags keep: the tag is left as it is (a dry run says so the same way).
          t.fail(refused.get());
          done.put(t, failed(t));
        } else if (request.dryRun()) {
          done.put(t, new DestinationResult(t.ref, Status.WOULD_COPY, Optional.of(finalDigest), 0, 0, 0, 0,
              t.elapsed(), Optional.empty()));
        } else {
          t.holds = at;
          work.add(t);
        }
      }
      if (!work.isEmpty()) {
        DigestWarmup.start(sourceDigest);
        if (tree == null) {
          tree = SourceTree.load(client, pool, pinned, request.platforms());
          mediaType = tree.top().mediaType();
        }
        copy(tree, pinned, work);
        for (Target t : work) {
          done.put(t, t.failure != null ? failed(t) : new DestinationResult(t.ref, Status.COPIED,
              Optional.of(tree.top().digest()), t.uploaded, t.mounted, tree.blobs().size() - t.uploaded - t.mounted,
              t.bytes, t.elapsed(), Optional.empty()));
        }
      }
      for (Target t : targets) {
        results.add(done.get(t));
      }
      loadedTop = tree == null ? null : tree.top();
      return new MirrorReport(pinned, finalDigest, mediaType, tree != null && tree.rewritten(), results,
          fanout.sourceBytesRead());
    }

    private DestinationResult failed(Target t) {
      return new DestinationResult(t.ref, Status.FAILED, Optional.empty(), t.uploaded, t.mounted, t.present.size(),
          t.bytes, t.elapsed(), Optional.of(t.failure));
    }

    /** Each destination's full reference; a destination without tag or digest takes the source's. */
    private List<Target> resolveTargets() {
      ImageReference source = request.source();
      List<Target> out = new ArrayList<>();
      for (ImageReference dest : request.destinations()) {
        if (dest.tag().isPresent()) {
          out.add(new Target(dest.withTag(dest.tag().get())));
        } else if (dest.digest().isPresent()) {
          Target t = new Target(dest);
          if (!request.platforms().isEmpty()) {
            t.impossible("a destination named by digest cannot take a --platform copy (the rewritten index has "
                + "a digest of its own): name a tag instead");
          }
          out.add(t);
        } else if (source.tag().isPresent()) {
          out.add(new Target(dest.withTag(source.tag().get())));
        } else if (source.isBare()) {
          out.add(new Target(dest.withTag("latest")));
        } else {
          out.add(new Target(dest.withDigest(source.digest().orElseThrow())));
        }
      }
      return out;
    }

    /** A destination named by digest can only receive the image with that digest. */
    private void checkDigestDestinations(List<Target> targets, Digest sourceDigest) {
      for (Target t : targets) {
        if (t.failure == null && t.ref.tag().isEmpty() && t.ref.digest().isPresent()
            && !t.ref.digest().get().equals(sourceDigest)) {
          t.impossible("destination names digest " + t.ref.digest().get() + " but the source is " + sourceDigest);
        }
      }
    }

    private Map<Target, Future<Optional<Digest>>> startDestinationChecks(List<Target> targets) {
      Map<Target, Future<Optional<Digest>>> pending = new LinkedHashMap<>();
      for (Target t : targets) {
        if (t.failure == null) {
          pending.put(t, pool.submit(() -> client.headManifest(t.ref).map(ManifestHead::digest)));
        }
      }
      return pending;
    }

    /** What each destination holds now; a destination that could not be asked has failed. */
    private Map<Target, Optional<Digest>> awaitDestinationChecks(List<Target> targets,
        Map<Target, Future<Optional<Digest>>> pending) {
      Map<Target, Optional<Digest>> out = new LinkedHashMap<>();
      for (Target t : targets) {
        Future<Optional<Digest>> f = pending.get(t);
        if (f == null) {
          out.put(t, Optional.empty());
          continue;
        }
        try {
          Optional<Digest> at = f.get();
          out.put(t, t.failure == null ? at : Optional.empty());
        } catch (ExecutionException e) {
          t.fail(e.getCause());
          out.put(t, Optional.empty());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
      }
      return out;
    }

    /** Plan, transfer the blobs, push the manifests bottom-up, tag: the order a tag never points at an incomplete image. */
    private void copy(SourceTree tree, ImageReference source, List<Target> targets) {
      List<Target> work = plan.plan(tree, targets);
      blobs.transfer(tree, source, work);
      // Tags of one repository are pushed one after another. They share their child manifests, and
      // a registry checking an index's children while another request writes the same child's link
      // can read it half-written and reject the index (docker-registry answers DIGEST_INVALID).
      Map<String, List<Target>> byRepository = new LinkedHashMap<>();
      for (Target t : work) {
        if (t.failure == null) {
          byRepository.computeIfAbsent(t.ref.registry() + "/" + t.ref.repository(), k -> new ArrayList<>()).add(t);
        }
      }
      List<Future<?>> pushes = new ArrayList<>();
      for (List<Target> tags : byRepository.values()) {
        pushes.add(threads.submit(() -> {
          Set<Digest> pushed = new HashSet<>();
          for (Target t : tags) {
            try {
              manifests.push(tree, t, pushed);
              tagging.tag(tree, t);
            } catch (Exception e) {
              t.fail(e);
            }
          }
          return null;
        }));
      }
      Tasks.awaitAll(pushes, work);
    }
  }
}
