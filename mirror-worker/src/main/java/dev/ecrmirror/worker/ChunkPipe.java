package dev.ecrmirror.worker;

import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.worker.ChunkPool.Chunk;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A bounded hand-off of byte chunks from the thread reading a source blob to the thread uploading
 * it to one destination, which writes them to its connection as they come: the chunks are handed
 * over, not copied. The reader of the source can end the body cleanly, or fail it so that the
 * upload is dropped short of its length instead of committing a short or corrupt blob.
 */
final class ChunkPipe implements RegistryClient.BlobBody {
  private static final Chunk END = new Chunk(new byte[0], 0, 0, null);
  /** How long an upload may take nothing before it is dropped. */
  static final Duration STALL_LIMIT = Duration.ofMinutes(10);

  private final BlockingQueue<Chunk> chunks;
  private final AtomicBoolean sent = new AtomicBoolean();
  private final long stallLimitNanos;
  private volatile IOException failure;
  private volatile boolean uploadGone;
  private volatile boolean stalled;
  private volatile boolean abandoned;
  private volatile Runnable abortUpload = () -> { };
  /** When the upload last took a chunk (or was created). */
  private volatile long lastTaken = System.nanoTime();
  /** When the write in progress started; 0 while the upload is not inside a write. */
  private volatile long writingSince;

  ChunkPipe(int capacityChunks) {
    this(capacityChunks, STALL_LIMIT);
  }

  ChunkPipe(int capacityChunks, Duration stallLimit) {
    this.chunks = new ArrayBlockingQueue<>(capacityChunks);
    this.stallLimitNanos = stallLimit.toNanos();
  }

  /**
   * Hands a chunk to the upload, waiting while the pipe is full; the upload releases it once
   * written. Returns false when the upload has gone (it failed, or it is stuck) and the chunk was
   * not taken: the caller stops feeding this pipe and carries on with others.
   */
  boolean write(Chunk chunk) throws InterruptedException {
    while (!uploadGone) {
      if (chunks.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
        if (uploadGone) {
          drain(); // the upload ended as this chunk went in: nobody else will release it
        }
        return true;
      }
      checkStalled();
    }
    return false;
  }

  /** Ends the body: the upload sees the end after the chunks already written. */
  void close() throws InterruptedException {
    offerEnd();
  }

  /** Fails the body: the upload is abandoned, not completed. */
  void fail(IOException cause) throws InterruptedException {
    failure = cause;
    offerEnd();
  }

  /** No more chunks will come, whatever happened to the source: an upload still waiting fails. */
  void abandon() {
    abandoned = true;
  }

  /** True when the upload took nothing for so long that it was given up. */
  boolean stalled() {
    return stalled;
  }

  /**
   * Gives the upload up when it has been stuck for the stall limit: inside one write (the registry
   * takes no bytes), or not taking chunks that are waiting for it. Its connection is dropped on a
   * thread of its own, so a close that blocks (TLS sends a last message) never holds up the caller,
   * which feeds the other destinations. Returns true once the upload has been given up.
   */
  boolean checkStalled() {
    if (stalled) {
      return true;
    }
    long now = System.nanoTime();
    long since = writingSince;
    boolean stuck = (since != 0 && now - since > stallLimitNanos)
        || (!chunks.isEmpty() && now - lastTaken > stallLimitNanos);
    if (stuck && !uploadGone) {
      stalled = true;
      uploadGone = true;
      Thread.ofPlatform().daemon().name("abort-upload").start(abortUpload);
    }
    return stalled;
  }

  private void offerEnd() throws InterruptedException {
    while (!uploadGone && !chunks.offer(END, 100, TimeUnit.MILLISECONDS)) {
      checkStalled(); // an upload that has gone, or is stuck, will not take it
    }
  }

  /**
   * Called when the upload stops, however it ended, so the writer never waits on it; the chunks it
   * will not write are released.
   */
  void uploadDone() {
    uploadGone = true;
    drain();
  }

  private void drain() {
    for (Chunk left = chunks.poll(); left != null; left = chunks.poll()) {
      if (left != END) {
        left.release();
      }
    }
  }

  @Override
  public void abortWith(Runnable abort) {
    abortUpload = abort;
  }

  /**
   * Writes the chunks to the upload's connection as they arrive. Throws when the source failed, so
   * the upload ends short of its declared length and the registry never completes it; and when
   * asked a second time (a request re-sent after an auth challenge cannot replay the stream: the
   * copy is tried again from the source).
   */
  @Override
  public void writeTo(OutputStream out) throws IOException {
    if (!sent.compareAndSet(false, true)) {
      throw new IOException("the blob stream was already sent once");
    }
    try {
      while (true) {
        Chunk next = chunks.poll(100, TimeUnit.MILLISECONDS);
        if (next != null) {
          lastTaken = System.nanoTime();
        }
        if (next == null) {
          if (abandoned) {
            throw new IOException("the source stopped sending");
          }
          continue;
        }
        if (next == END) {
          if (failure != null) {
            throw new IOException(failure.getMessage(), failure);
          }
          return;
        }
        writingSince = System.nanoTime();
        try {
          out.write(next.array(), next.offset(), next.length());
        } finally {
          writingSince = 0;
          next.release();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for source bytes");
    }
  }
}
