package dev.ecrmirror.worker;

import dev.ecrmirror.common.ref.Digest;
import java.security.MessageDigest;

/**
 * Hashes throw-away bytes on a spare core while a copy is being planned (manifests fetched,
 * destinations checked), so the JIT has compiled SHA-256 to its CPU instructions by the time the
 * first blob arrives. Until then SHA-256 runs as ordinary bytecode at a tenth of the speed, and a
 * copy that starts six blobs at once would hash its first megabytes of each that slowly.
 */
final class DigestWarmup {
  private static final int BLOCK = 256 * 1024;
  private static final int BLOCKS = 64;

  private DigestWarmup() {}

  static void start(Digest algorithmOf) {
    Thread.ofPlatform().daemon().name("digest-warmup").priority(Thread.MIN_PRIORITY).start(() -> {
      MessageDigest hash = algorithmOf.newMessageDigest();
      byte[] block = new byte[BLOCK];
      for (int i = 0; i < BLOCKS; i++) {
        hash.update(block);
      }
      hash.digest();
    });
  }
}
