package dev.ecrmirror.worker;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bounded hand-off of byte chunks from the thread reading a source blob to the thread uploading
 * it to one destination. The reader side is an {@link InputStream}; the writer can end it cleanly,
 * or fail it so that the upload aborts instead of committing a short or corrupt blob.
 */
final class ChunkPipe {
  private static final byte[] END = new byte[0];
  private static final long OFFER_TIMEOUT_MINUTES = 10;

  private final BlockingQueue<byte[]> chunks;
  private volatile IOException failure;
  private volatile boolean readerGone;

  ChunkPipe(int capacityChunks) {
    this.chunks = new ArrayBlockingQueue<>(capacityChunks);
  }

  /**
   * Hands a chunk to the reader, waiting while the pipe is full. Returns false when the reader
   * has gone (its upload failed): the caller stops feeding this pipe and carries on with others.
   */
  boolean write(byte[] chunk) throws InterruptedException {
    long stalledSince = 0;
    while (!readerGone) {
      if (chunks.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
        return true;
      }
      if (stalledSince == 0) {
        stalledSince = System.nanoTime();
      } else if (System.nanoTime() - stalledSince > TimeUnit.MINUTES.toNanos(OFFER_TIMEOUT_MINUTES)) {
        // A destination that takes nothing for this long is stuck: drop it, keep the others going.
        readerGone = true;
        return false;
      }
    }
    return false;
  }

  /** Ends the stream: the reader sees end of file after the chunks already written. */
  void close() throws InterruptedException {
    offerControl(END);
  }

  /** Fails the stream: the reader's next read throws, so the upload is abandoned, not completed. */
  void fail(IOException cause) throws InterruptedException {
    failure = cause;
    offerControl(END);
  }

  private void offerControl(byte[] marker) throws InterruptedException {
    while (!readerGone && !chunks.offer(marker, 100, TimeUnit.MILLISECONDS)) {
      // Wait for room; a reader that has gone will not take it.
    }
  }

  /** Called when the consumer stops reading, so the writer does not wait on it forever. */
  void readerDone() {
    readerGone = true;
  }

  /** The reading side, for the upload's request body. */
  InputStream inputStream() {
    return new InputStream() {
      private byte[] current = new byte[0];
      private int pos;
      private boolean ended;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        while (pos == current.length) {
          if (ended) {
            return -1;
          }
          byte[] next;
          try {
            next = chunks.take();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for source bytes", e);
          }
          if (next == END) {
            if (failure != null) {
              throw failure;
            }
            ended = true;
            return -1;
          }
          current = next;
          pos = 0;
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
      }

      @Override
      public void close() {
        readerDone();
      }
    };
  }
}
