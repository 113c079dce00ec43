package dev.ecrmirror.worker;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Recycles the arrays blob bytes travel in, so a copy allocates next to nothing per byte: the heap
 * stays small without JVM flags, however large the blobs, and the JVM has no reason to grow it.
 * An array comes back when every upload it was handed to is done with it ({@link Chunk}).
 */
final class ChunkPool {
  private final int chunkSize;
  private final int maxIdle;
  private final Queue<byte[]> idle = new ConcurrentLinkedQueue<>();
  private final AtomicInteger idleCount = new AtomicInteger();

  ChunkPool(int chunkSize, int maxIdle) {
    this.chunkSize = chunkSize;
    this.maxIdle = maxIdle;
  }

  int chunkSize() {
    return chunkSize;
  }

  /** An array to fill: a recycled one when there is one. */
  byte[] take() {
    byte[] array = idle.poll();
    if (array == null) {
      return new byte[chunkSize];
    }
    idleCount.decrementAndGet();
    return array;
  }

  /** Takes an array back; nothing may read or write it any more. */
  void give(byte[] array) {
    if (idleCount.incrementAndGet() <= maxIdle) {
      idle.offer(array);
    } else {
      idleCount.decrementAndGet();
    }
  }

  /**
   * A filled array, shared by the uploads it is handed to. Whoever holds it releases it once; the
   * last release gives the array back to the pool. A holder that never releases (an upload dropped
   * at the wrong moment) only costs the pool that array.
   */
  static final class Chunk {
    private final byte[] array;
    private final int offset;
    private final int length;
    private final ChunkPool pool;
    private final AtomicInteger holders = new AtomicInteger(1);

    /** A chunk held once, by its creator. */
    Chunk(byte[] array, int offset, int length, ChunkPool pool) {
      this.array = array;
      this.offset = offset;
      this.length = length;
      this.pool = pool;
    }

    byte[] array() {
      return array;
    }

    int offset() {
      return offset;
    }

    int length() {
      return length;
    }

    void retain() {
      holders.incrementAndGet();
    }

    void release() {
      if (holders.decrementAndGet() == 0 && pool != null) {
        pool.give(array);
      }
    }
  }
}
