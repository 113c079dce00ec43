package dev.ecrmirror.worker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded hand-off of byte chunks from the thread reading a source blob to the HTTP request
 * uploading it to one destination, as a {@link Flow.Publisher} the HTTP client reads from directly:
 * the chunks are handed over, not copied. The writer can end the body cleanly, or fail it so that
 * the upload aborts instead of committing a short or corrupt blob.
 */
final class ChunkPipe implements Flow.Publisher<ByteBuffer> {
  private static final ByteBuffer END = ByteBuffer.allocate(0);
  private static final long STALL_LIMIT_NANOS = TimeUnit.MINUTES.toNanos(10);

  private final BlockingQueue<ByteBuffer> chunks;
  private final AtomicBoolean subscribed = new AtomicBoolean();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition demanded = lock.newCondition();
  private long demand;
  private volatile IOException failure;
  private volatile boolean readerGone;

  ChunkPipe(int capacityChunks) {
    this.chunks = new ArrayBlockingQueue<>(capacityChunks);
  }

  /**
   * Hands {@code length} bytes of {@code array} from {@code offset} to the upload, waiting while the
   * pipe is full. The array must not change afterwards. Returns false when the upload has gone
   * (it failed, or it is stuck): the caller stops feeding this pipe and carries on with others.
   */
  boolean write(byte[] array, int offset, int length) throws InterruptedException {
    ByteBuffer chunk = ByteBuffer.wrap(array, offset, length);
    long stalledSince = 0;
    while (!readerGone) {
      if (chunks.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
        return true;
      }
      if (stalledSince == 0) {
        stalledSince = System.nanoTime();
      } else if (System.nanoTime() - stalledSince > STALL_LIMIT_NANOS) {
        // A destination that takes nothing for this long is stuck: drop it, keep the others going.
        readerGone = true;
      }
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

  private void offerEnd() throws InterruptedException {
    while (!readerGone && !chunks.offer(END, 100, TimeUnit.MILLISECONDS)) {
      // Wait for room; an upload that has gone will not take it.
    }
  }

  /** Called when the upload stops, however it ended, so the writer never waits on it. */
  void readerDone() {
    readerGone = true;
    lock.lock();
    try {
      demanded.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
    if (!subscribed.compareAndSet(false, true)) {
      // A request re-sent (after an auth challenge, say) cannot replay the stream: fail it, and
      // the copy is tried again from the source.
      subscriber.onSubscribe(new Flow.Subscription() {
        @Override
        public void request(long n) { }

        @Override
        public void cancel() { }
      });
      subscriber.onError(new IOException("the blob stream was already sent once"));
      return;
    }
    subscriber.onSubscribe(new Flow.Subscription() {
      @Override
      public void request(long n) {
        lock.lock();
        try {
          demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
          demanded.signalAll();
        } finally {
          lock.unlock();
        }
      }

      @Override
      public void cancel() {
        readerDone();
      }
    });
    Thread.ofVirtual().name("upload-body").start(() -> deliver(subscriber));
  }

  private void deliver(Flow.Subscriber<? super ByteBuffer> subscriber) {
    try {
      while (true) {
        lock.lock();
        try {
          while (demand == 0 && !readerGone) {
            demanded.await();
          }
          if (readerGone) {
            return;
          }
          demand--;
        } finally {
          lock.unlock();
        }
        ByteBuffer next = null;
        while (next == null && !readerGone) {
          next = chunks.poll(100, TimeUnit.MILLISECONDS);
        }
        if (next == null) {
          return;
        }
        if (next == END) {
          if (failure != null) {
            subscriber.onError(failure);
          } else {
            subscriber.onComplete();
          }
          return;
        }
        subscriber.onNext(next);
      }
    } catch (InterruptedException e) {
      subscriber.onError(new IOException("interrupted while waiting for source bytes", e));
    }
  }
}
