package dev.ecrmirror.worker;

import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.FailureKind;
import dev.ecrmirror.common.Failures;
import dev.ecrmirror.common.LazyLogger;
import dev.ecrmirror.common.manifest.Descriptor;
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
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Copies one image, every platform and byte for byte, to many destinations in one pass.
 *
 * <p>The source is pinned by digest first. Each destination already at that digest is left alone.
 * For the rest: blobs first (skipped when present, mounted when the registry can, else read once
 * from the source and streamed to all destinations that lack them), then child manifests by digest,
 * then the top manifest by tag. A destination whose blobs did not all arrive gets no manifest, so
 * no tag ever points at an incomplete image; one failing destination does not stop the others.
 */
public final class MirrorEngine {
  private static final LazyLogger LOG = LazyLogger.of(MirrorEngine.class);
  private static final String REFERENCE_DIGEST = "vnd.docker.reference.digest";

  private final RegistryClient client;
  private final int jobs;
  private final int retries;
  private final Consumer<ImageReference> destinationSetup;
  private final Duration readTimeout;

  /** A blob download that receives nothing for this long is dropped and resumed. */
  public static final Duration DEFAULT_READ_TIMEOUT = RegistryClient.DEFAULT_READ_TIMEOUT;

  /**
   * {@code jobs} bounds the registry operations (blob checks, transfers, pushes) run at once; a blob
   * transfer that fails for a passing reason is tried {@code retries} more times; a blob download
   * that receives nothing for {@code readTimeout} is dropped and resumed. Built by {@link MirrorEngines}.
   */
  MirrorEngine(RegistryClient client, int jobs, int retries, Duration readTimeout) {
    this(client, jobs, retries, destination -> { }, readTimeout);
  }

  private MirrorEngine(RegistryClient client, int jobs, int retries, Consumer<ImageReference> destinationSetup,
      Duration readTimeout) {
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
  }

  /**
   * The same engine, running {@code setup} for each destination about to receive a copy (before
   * any blob): creating a missing ECR repository, say. A setup that throws fails that destination.
   */
  MirrorEngine withDestinationSetup(Consumer<ImageReference> setup) {
    return new MirrorEngine(client, jobs, retries, setup, readTimeout);
  }

  /** The pinned source: its top manifest and every child manifest and blob under it. */
  private record Tree(Manifest top, List<Manifest> children, Map<Digest, Descriptor> blobs,
      Map<Digest, List<Digest>> blobsByImage, boolean rewritten) {}

  /** One destination's state while the run goes on. */
  private static final class Target {
    final ImageReference ref;
    final long started = System.nanoTime();
    final Set<Digest> present = ConcurrentHashMap.newKeySet();
    final Set<Digest> presentManifests = ConcurrentHashMap.newKeySet();
    int uploaded;
    int mounted;
    long bytes;
    /** The first failure here, or null while it is fine. */
    volatile Failure failure;
    /** The other digest the destination tag holds before the copy, if any (for --existing-tags backup). */
    Optional<Digest> holds = Optional.empty();

    /** {@code ref} names what to push: a tag, or a digest when the destination takes none. */
    Target(ImageReference ref) {
      this.ref = ref;
    }

    synchronized void countUpload(long size) {
      uploaded++;
      bytes += size;
    }

    synchronized void countMount() {
      mounted++;
    }

    /** Records the failure unless an earlier one is recorded: the first is what went wrong. */
    synchronized void fail(Failure f) {
      if (failure == null) {
        failure = f;
      }
    }

    /** Records the failure, naming the exception's type when it has no message. */
    void fail(Throwable e) {
      fail(Failure.of(e));
    }

    /** Records that the request itself cannot be done here: trying again would not help. */
    void impossible(String message) {
      fail(new Failure(FailureKind.PERMANENT, message));
    }

    Duration elapsed() {
      return Duration.ofNanos(System.nanoTime() - started);
    }
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
      RepositoryRun run = new RepositoryRun(client, images, threads, jobs, retries, destinationSetup, readTimeout, progress);
      RepositoryReport report = run.execute();
      List<ReferrerCopy.Image> tags = report.tags().stream()
          .map(t -> new ReferrerCopy.Image(t, run.loadedTop(t.source().digest().orElseThrow()))).toList();
      return new RepositoryReport(report.source(), ReferrerCopy.after(this, client, request.source(), request.referrers(),
          request.dryRun(), tags), report.sourceBytesRead());
    } finally {
      threads.shutdownNow();
    }
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

  /** The state of one {@link #mirror} call. */
  private final class Run {
    private final MirrorRequest request;
    private final ExecutorService threads;
    private final PermitPool pool;
    private final BlobFanout fanout;
    private final BlobCopier copier;
    private final Progress progress;
    /** The top manifest written (or to write), once read: the subjects of the image's referrers. */
    Manifest loadedTop;

    Run(MirrorRequest request, ExecutorService threads, Progress progress) {
      this.request = request;
      this.threads = threads;
      this.pool = new PermitPool(threads, jobs, "copy " + request.source());
      this.progress = progress;
      this.fanout = new BlobFanout(client, threads, Math.max(retries, 1), progress, readTimeout);
      this.copier = new BlobCopier(client, fanout, retries);
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

      Tree tree = null;
      Digest finalDigest = sourceDigest;
      if (filtering) {
        tree = loadTree(pinned);
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
          tree = loadTree(pinned);
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

    /** Destinations keep their own tag; one named bare takes the source's tag, or the digest if it has none. */
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

    private Tree loadTree(ImageReference pinned) {
      Manifest top = client.getManifest(pinned);
      boolean rewritten = false;
      if (!request.platforms().isEmpty()) {
        if (!top.isIndex()) {
          LOG.get().warn("{} is a single-platform image ({}); --platform does not apply, copying it as is",
              pinned, top.mediaType());
        } else {
          Manifest filtered = filterPlatforms(top, pinned, request.platforms());
          rewritten = !filtered.digest().equals(top.digest());
          top = filtered;
        }
      }
      List<Manifest> children = new ArrayList<>();
      Map<Digest, Descriptor> blobs = new LinkedHashMap<>();
      Map<Digest, List<Digest>> byImage = new LinkedHashMap<>();
      collect(pinned, top, children, blobs, byImage, new LinkedHashSet<>());
      children.remove(top);
      return new Tree(top, children, blobs, byImage, rewritten);
    }

    private void collect(ImageReference repo, Manifest manifest, List<Manifest> children, Map<Digest, Descriptor> blobs,
        Map<Digest, List<Digest>> byImage, Set<Digest> seen) {
      if (!seen.add(manifest.digest())) {
        return;
      }
      if (manifest.isIndex()) {
        List<Future<Manifest>> fetches = new ArrayList<>();
        for (Descriptor entry : manifest.references()) {
          fetches.add(pool.submit(() -> client.getManifest(repo, entry.digest().toString())));
        }
        for (Future<Manifest> f : fetches) {
          collect(repo, await(f), children, blobs, byImage, seen);
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

    private void copy(Tree tree, ImageReference source, List<Target> targets) {
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
      awaitAll(setups, targets);
      List<Target> work = targets.stream().filter(t -> t.failure == null).toList();
      // Which child images each destination already has: their blobs are there too, since a
      // registry accepts a manifest only once everything it references exists.
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
      awaitAll(checks, work);
      for (Target t : work) {
        for (Digest image : t.presentManifests) {
          t.present.addAll(tree.blobsByImage().getOrDefault(image, List.of()));
        }
      }
      checks.clear();
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
      awaitAll(checks, work);
      for (Target t : work) {
        progress.plan(t.ref, tree.blobs().values().stream().filter(b -> !t.present.contains(b.digest()))
            .mapToLong(b -> Math.max(b.size(), 0)).sum());
      }

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
      awaitAll(transfers, work);

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
            pushManifests(tree, t, pushed);
          }
          return null;
        }));
      }
      awaitAll(pushes, work);
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

    /** Pushes the child manifests the repository lacks ({@code pushed}: already pushed there in this run), then the top. */
    private void pushManifests(Tree tree, Target t, Set<Digest> pushed) {
      try {
        for (Manifest child : tree.children()) {
          if (!t.presentManifests.contains(child.digest()) && !pushed.contains(child.digest())) {
            pool.call(() -> {
              client.putManifest(t.ref, child.digest().toString(), child);
              return null;
            });
            pushed.add(child.digest());
          }
        }
        if (t.holds.isPresent() && t.ref.tag().isPresent() && request.existingTags().backsUp()) {
          // Right before the tag moves, once all it will point at is in place: a failed backup leaves the tag alone.
          pool.call(() -> {
            request.existingTags().backUp(client, t.ref, t.holds.get());
            return null;
          });
        }
        pool.call(() -> {
          client.putManifest(t.ref, t.ref.manifestReference(), tree.top());
          return null;
        });
      } catch (Exception e) {
        t.fail(e);
      }
    }

    private <T> T await(Future<T> f) {
      try {
        return f.get();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException re) {
          throw re;
        }
        throw new IllegalStateException(Failures.describe(e.getCause()), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }

    /** Waits for every task. Tasks charge their own failures to their destination; anything else fails all. */
    private void awaitAll(List<Future<?>> futures, List<Target> work) {
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          work.forEach(t -> t.fail(e.getCause()));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
      }
    }
  }
}
