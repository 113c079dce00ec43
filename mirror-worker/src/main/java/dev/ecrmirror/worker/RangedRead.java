package dev.ecrmirror.worker;

import dev.ecrmirror.common.LazyLogger;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryClient.BlobStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One large blob read as several byte ranges at once, each on a connection of its own, and given
 * back as one stream in order: the caller hashes and forwards it exactly as it would one download.
 *
 * <p>Memory is bounded by the run's range slots ({@link RangedReads#parallel()}): a range holds a
 * slot from the moment it is asked for until the reader has passed its last byte, so at most that
 * many ranges, of at most {@link RangedReads#rangeSize()} bytes each, are in flight or waiting.
 * Ranges are claimed in order, so the one the reader needs next always has its connection. A range
 * broken mid-way is asked again from the byte it reached; one that fails for good fails the stream,
 * and the caller resumes with one plain download from where it got.
 */
final class RangedRead extends InputStream {
  private static final LazyLogger LOG = LazyLogger.of(RangedRead.class);
  private static final Object END = new Object();

  /** Bytes of one range, as read: {@code length} bytes of a pooled array. */
  private record Piece(byte[] array, int length) {}

  private final RegistryClient client;
  private final ImageReference source;
  private final Digest digest;
  private final long size;
  private final long rangeSize;
  private final int count;
  private final Semaphore slots;
  private final ChunkPool pool;
  private final Duration readTimeout;
  private final int resumeAttempts;
  private final Map<Integer, LinkedBlockingQueue<Object>> ranges = new ConcurrentHashMap<>();
  private final AtomicInteger next = new AtomicInteger(1);
  /** Slots this read holds: one per range asked for and not yet read to its end. */
  private final AtomicInteger held = new AtomicInteger(1);
  private final Set<InputStream> open = ConcurrentHashMap.newKeySet();
  private final List<Future<?>> workers = new ArrayList<>();
  private volatile URI location;
  private volatile boolean closed;
  private int current;
  private Piece piece;
  private int position;

  private RangedRead(RegistryClient client, ImageReference source, Digest digest, long size, RangedReads settings,
      Semaphore slots, ChunkPool pool, Duration readTimeout, int resumeAttempts) {
    this.client = client;
    this.source = source;
    this.digest = digest;
    this.size = size;
    this.rangeSize = settings.rangeSize();
    this.count = (int) ((size + rangeSize - 1) / rangeSize);
    this.slots = slots;
    this.pool = pool;
    this.readTimeout = readTimeout;
    this.resumeAttempts = resumeAttempts;
  }

  /**
   * Opens the blob: its first range is asked for, and when the source honours it (206) the other
   * ranges follow on {@code threads}, {@code parallel} of them at once; when it does not, its whole
   * answer is the download, one stream as without ranges.
   */
  static BlobStream open(RegistryClient client, ImageReference source, Digest digest, long size, RangedReads settings,
      Semaphore slots, ExecutorService threads, ChunkPool pool, Duration readTimeout, int resumeAttempts)
      throws InterruptedException {
    slots.acquire();
    BlobStream first;
    try {
      first = client.openBlobRange(source, digest, 0, Math.min(size, settings.rangeSize()) - 1, null, readTimeout);
    } catch (RuntimeException e) {
      slots.release();
      throw e;
    }
    if (!first.partial()) {
      slots.release();
      LOG.get().debug("{} does not honour Range for blob {}: one stream", source.registry(), digest.shortHex());
      return first;
    }
    RangedRead read = new RangedRead(client, source, digest, size, settings, slots, pool, readTimeout, resumeAttempts);
    read.location = first.location();
    read.workers.add(threads.submit(() -> read.work(first)));
    for (int i = 1; i < settings.parallel(); i++) {
      read.workers.add(threads.submit(() -> read.work(null)));
    }
    return new BlobStream(read, size, 0, false, first.location());
  }

  private LinkedBlockingQueue<Object> range(int index) {
    return ranges.computeIfAbsent(index, i -> new LinkedBlockingQueue<>());
  }

  /** A connection's loop: claims the next range once a slot is free, reads it, and so on to the last. */
  private Void work(BlobStream opened) throws InterruptedException {
    if (opened != null) {
      fetch(0, opened);
    }
    while (!closed) {
      if (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        continue;
      }
      int index = next.getAndIncrement();
      if (closed || index >= count) {
        slots.release();
        return null;
      }
      held.incrementAndGet();
      fetch(index, null);
    }
    return null;
  }

  /** Reads range {@code index} into its queue, asking again from where it broke; its end or its failure ends the queue. */
  private void fetch(int index, BlobStream opened) {
    LinkedBlockingQueue<Object> out = range(index);
    long first = index * rangeSize;
    long length = Math.min(size - first, rangeSize);
    long got = 0;
    int failures = 0;
    BlobStream stream = opened;
    while (!closed) {
      try {
        if (stream == null) {
          stream = client.openBlobRange(source, digest, first + got, first + length - 1, location, readTimeout);
        }
        if (!stream.partial()) {
          stream.body().close();
          out.add(new IOException("the registry stopped honouring Range requests for blob " + digest.shortHex()));
          return;
        }
        location = stream.location();
        got = drain(stream.body(), out, got, length);
        out.add(END);
        return;
      } catch (Error e) {
        // Whatever ends this connection must end its range too, or the reader waits for it forever;
        // a failed ranged read falls back to one plain download (which needs far less memory).
        out.add(new IOException("range " + index + " of blob " + digest.shortHex() + " failed: " + e, e));
        return;
      } catch (IOException | RuntimeException e) {
        if (e instanceof RangeOverrun || ++failures > resumeAttempts || closed) {
          out.add(e instanceof IOException io ? io : new IOException(e.getMessage(), e));
          return;
        }
        got = Math.max(got, progress(e));
        LOG.get().debug("range {} of blob {} broke after {} of {} bytes ({}); asking again", index, digest.shortHex(),
            got, length, e.getMessage());
        stream = null;
      }
    }
  }

  /** Bytes of this range that arrived before a failure (kept: the reader has them already). */
  private static long progress(Exception e) {
    return e instanceof RangeBroken broken ? broken.got : 0;
  }

  /** A range's answer that carries more bytes than asked for: never right, however often asked. */
  private static final class RangeOverrun extends IOException {
    private static final long serialVersionUID = 1L;

    RangeOverrun(String message) {
      super(message);
    }
  }

  /** A range's answer that broke off, with how far this range had got. */
  private static final class RangeBroken extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient long got;

    RangeBroken(String message, long got, Throwable cause) {
      super(message, cause);
      this.got = got;
    }
  }

  /** Reads one answer to its end into whole pooled chunks; returns the bytes of the range now read. */
  private long drain(InputStream body, LinkedBlockingQueue<Object> out, long got, long length) throws IOException {
    open.add(body);
    try (body) {
      byte[] chunk = pool.take();
      int filled = 0;
      while (true) {
        int n;
        try {
          n = body.read(chunk, filled, chunk.length - filled);
        } catch (IOException e) {
          if (filled > 0) {
            out.add(new Piece(chunk, filled));
            got += filled;
          } else {
            pool.give(chunk);
          }
          throw new RangeBroken(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), got, e);
        }
        if (n > 0) {
          filled += n;
          if (got + filled > length) {
            pool.give(chunk);
            throw new RangeOverrun("a range of blob " + digest.shortHex() + " came back longer than the "
                + length + " bytes asked for");
          }
        }
        if (filled == chunk.length || (n < 0 && filled > 0)) {
          out.add(new Piece(chunk, filled));
          got += filled;
          chunk = n < 0 ? null : pool.take();
          filled = 0;
        }
        if (n < 0) {
          if (chunk != null) {
            pool.give(chunk);
          }
          if (got < length) {
            throw new RangeBroken("a range of blob " + digest.shortHex() + " ended after " + got + " of " + length
                + " bytes", got, null);
          }
          return got;
        }
      }
    } finally {
      open.remove(body);
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    while (piece == null) {
      if (current >= count) {
        return -1;
      }
      Object next;
      try {
        next = range(current).poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for a range");
      }
      if (closed) {
        throw new IOException("the ranged download was closed");
      }
      if (next == null) {
        continue;
      }
      if (next == END) {
        ranges.remove(current);
        current++;
        held.decrementAndGet();
        slots.release();
      } else if (next instanceof IOException e) {
        throw new IOException(e.getMessage(), e);
      } else {
        piece = (Piece) next;
        position = 0;
      }
    }
    int n = Math.min(length, piece.length() - position);
    System.arraycopy(piece.array(), position, buffer, offset, n);
    position += n;
    if (position == piece.length()) {
      pool.give(piece.array());
      piece = null;
    }
    return n;
  }

  /** Stops every range still in flight (their connections dropped), gives their slots and arrays back. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (InputStream in : open) {
      try {
        in.close();
      } catch (IOException e) {
        // Dropping it is all that was asked.
      }
    }
    for (Future<?> worker : workers) {
      try {
        worker.get(30, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        worker.cancel(true);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    slots.release(Math.max(0, held.getAndSet(0)));
    if (piece != null) {
      pool.give(piece.array());
      piece = null;
    }
    for (LinkedBlockingQueue<Object> queue : ranges.values()) {
      for (Object left = queue.poll(); left != null; left = queue.poll()) {
        if (left instanceof Piece p) {
          pool.give(p.array());
        }
      }
    }
    ranges.clear();
  }
}
