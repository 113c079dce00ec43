package dev.ecrmirror.controller.drift;

import dev.ecrmirror.common.Failures;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * Resolves many references to digests at once, each distinct reference once, with at most
 * {@code concurrency} requests in flight: a registry {@code HEAD} per reference, or batched ECR API
 * calls for ECR images when an {@link EcrDigests} is given.
 */
public final class DigestResolver {
  private final RegistryClient registry;
  private final Optional<EcrDigests> ecr;
  private final int concurrency;

  public DigestResolver(RegistryClient registry, Optional<EcrDigests> ecr, int concurrency) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be 1 or more, not " + concurrency);
    }
    this.registry = registry;
    this.ecr = ecr;
    this.concurrency = concurrency;
  }

  /** The registry client HEADs go through (and tag listings, by default). */
  public RegistryClient registry() {
    return registry;
  }

  /** Every given reference's answer; never throws for one reference's failure. */
  public Map<ImageReference, Lookup> resolve(Collection<ImageReference> references) {
    List<ImageReference> distinct = new ArrayList<>(new LinkedHashSet<>(references));
    List<ImageReference> viaEcr = new ArrayList<>();
    List<ImageReference> viaHead = new ArrayList<>();
    for (ImageReference ref : distinct) {
      (ecr.isPresent() && EcrDigests.handles(ref) ? viaEcr : viaHead).add(ref);
    }
    Map<ImageReference, Lookup> out = new ConcurrentHashMap<>();
    Semaphore permits = new Semaphore(concurrency);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (EcrDigests.Batch batch : EcrDigests.batches(viaEcr)) {
        pool.execute(() -> bounded(permits, () -> out.putAll(ecrLookup(batch))));
      }
      for (ImageReference ref : viaHead) {
        pool.execute(() -> bounded(permits, () -> out.put(ref, head(ref))));
      }
    }
    return out;
  }

  private Map<ImageReference, Lookup> ecrLookup(EcrDigests.Batch batch) {
    try {
      return ecr.orElseThrow().lookup(batch);
    } catch (RuntimeException e) {
      // Unanswered, these rows would read "not checked (interrupted)", and the pool thread would print a stack trace.
      Lookup failed = new Lookup.Failed("ECR check of " + batch.registry() + "/" + batch.repository() + " failed: "
          + Failures.describe(e), e);
      Map<ImageReference, Lookup> out = new HashMap<>();
      batch.refs().forEach(r -> out.put(r, failed));
      return out;
    }
  }

  private Lookup head(ImageReference ref) {
    try {
      return registry.headManifest(ref).<Lookup>map(h -> new Lookup.Found(h.digest())).orElseGet(Lookup.Missing::new);
    } catch (RegistryException e) {
      return new Lookup.Failed(Failures.describe(e), e);
    } catch (RuntimeException e) {
      // Credential helpers and token fetches fail with their own exceptions (a spent rate budget
      // among them, kept as the cause so the row is deferred, not failed); the row records it.
      return new Lookup.Failed("check " + ref + " failed: " + Failures.describe(e), e);
    }
  }

  private static void bounded(Semaphore permits, Runnable work) {
    try {
      permits.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    try {
      work.run();
    } finally {
      permits.release();
    }
  }
}
