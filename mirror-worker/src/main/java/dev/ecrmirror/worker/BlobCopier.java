package dev.ecrmirror.worker;

import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.LazyLogger;
import dev.ecrmirror.common.manifest.Descriptor;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RateLimitedException;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Brings one blob to every destination repository that lacks it: a cross-repository mount where
 * the registry allows, else one read of the source streamed to one repository per registry, the
 * others on that registry mounting from it afterwards; passing failures are tried again.
 */
final class BlobCopier {
  private static final LazyLogger LOG = LazyLogger.of(BlobCopier.class);

  private final RegistryClient client;
  private final BlobFanout fanout;
  private final int retries;

  /** How a destination came to hold the blob, or why it does not. */
  enum Kind {
    /** Its bytes were sent to this destination. */
    UPLOADED,
    /** Mounted from the source or from another repository of the same registry. */
    MOUNTED,
    /** Another destination in the same repository was just written: the blob is there already. */
    ALREADY_THERE,
    /** The blob could not be brought there; {@link Outcome#error} says why. */
    FAILED
  }

  /** The result for one destination. */
  record Outcome(Kind kind, Failure error) {
    static final Outcome UPLOADED = new Outcome(Kind.UPLOADED, null);
    static final Outcome MOUNTED = new Outcome(Kind.MOUNTED, null);
    static final Outcome ALREADY_THERE = new Outcome(Kind.ALREADY_THERE, null);

    static Outcome failed(Failure error) {
      return new Outcome(Kind.FAILED, error);
    }
  }

  BlobCopier(RegistryClient client, BlobFanout fanout, int retries) {
    this.client = client;
    this.fanout = fanout;
    this.retries = retries;
  }

  /**
   * Copies {@code blob} from {@code source} to each of {@code needing}. Bytes read from the source
   * are added to {@code readHere}. A destination for which {@code wanted} turns false (it failed for
   * another reason meanwhile) is dropped between attempts and is missing from the answer.
   */
  Map<ImageReference, Outcome> copy(ImageReference source, Descriptor blob, List<ImageReference> needing,
      AtomicLong readHere, Predicate<ImageReference> wanted) throws InterruptedException {
    Digest digest = blob.digest();
    Map<ImageReference, Outcome> out = new LinkedHashMap<>();
    List<ImageReference> remaining = new ArrayList<>();
    for (ImageReference t : new LinkedHashSet<>(needing)) {
      if (t.registry().equals(source.registry()) && tryMount(t, digest, source)) {
        out.put(t, Outcome.MOUNTED);
      } else {
        remaining.add(t);
      }
    }
    // Ends: from attempt `retries` on, each round settles every registry's primary for good.
    for (int attempt = 0; !remaining.isEmpty(); attempt++) {
      // One upload per registry; the others on that registry mount from it afterwards.
      Map<String, ImageReference> primaries = new LinkedHashMap<>();
      for (ImageReference t : remaining) {
        primaries.putIfAbsent(t.registry(), t);
      }
      List<ImageReference> uploadTo = List.copyOf(primaries.values());
      Map<ImageReference, RuntimeException> failures;
      try {
        failures = fanout.transfer(source, digest, blob.size(), uploadTo, readHere);
      } catch (RuntimeException e) {
        failures = new LinkedHashMap<>();
        for (ImageReference ref : uploadTo) {
          failures.put(ref, e);
        }
      }
      List<ImageReference> next = new ArrayList<>();
      boolean canRetry = attempt < retries;
      for (ImageReference t : remaining) {
        ImageReference primary = primaries.get(t.registry());
        if (primary.equals(t)) {
          RuntimeException failure = failures.get(t);
          if (failure == null) {
            out.put(t, Outcome.UPLOADED);
          } else if (canRetry && retryable(failure)) {
            LOG.get().debug("{}; trying again ({} of {})", failure.getMessage(), attempt + 1, retries);
            next.add(t);
          } else {
            out.put(t, Outcome.failed(Failure.of(failure)));
          }
        } else if (!failures.containsKey(primary) && t.sameRepository(primary)) {
          out.put(t, Outcome.ALREADY_THERE);
        } else if (failures.containsKey(primary) || !tryMount(t, digest, primary)) {
          // Its registry's upload failed, or the registry would not mount: it needs its own upload.
          next.add(t);
        } else {
          out.put(t, Outcome.MOUNTED);
        }
      }
      remaining = next.stream().filter(wanted).toList();
      if (!remaining.isEmpty()) {
        client.retryPolicy().sleeper().sleep(client.retryPolicy().backoff(attempt + 1));
      }
    }
    return out;
  }

  private static boolean retryable(RuntimeException failure) {
    // A spent pull budget stays spent for this run: trying again would only be refused again.
    for (Throwable c = failure; c != null && c != c.getCause(); c = c.getCause()) {
      if (c instanceof RateLimitedException) {
        return false;
      }
    }
    return !(failure instanceof RegistryException re) || re.isRetryable();
  }

  private boolean tryMount(ImageReference target, Digest digest, ImageReference from) {
    if (target.sameRepository(from)) {
      return false;
    }
    try {
      return client.mountBlob(target, digest, from);
    } catch (RuntimeException e) {
      LOG.get().debug("mount of {} into {} failed, uploading instead: {}", digest.shortHex(), target.name(), e.getMessage());
      return false;
    }
  }
}
