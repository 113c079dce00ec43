package dev.ecrmirror.worker;

import dev.ecrmirror.common.Failures;
import dev.ecrmirror.common.LazyLogger;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryClient.BlobStream;
import dev.ecrmirror.common.registry.RegistryException;
import dev.ecrmirror.worker.ChunkPool.Chunk;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads one source blob once and streams it to every destination that needs it, at the same time.
 * Every byte is hashed on the way; the uploads are only allowed to finish when the digest and size
 * check out, so no destination ever commits a truncated or corrupt blob. A source download broken
 * mid-way resumes with a Range request (or re-reads and skips, where Range is not supported).
 */
final class BlobFanout {
  private static final LazyLogger LOG = LazyLogger.of(BlobFanout.class);
  private static final int CHUNK = 128 * 1024;
  private static final int PIPE_CHUNKS = 8;
  /** How long an upload given up as stalled may take to notice its dropped connection. */
  private static final Duration ABORT_GRACE = Duration.ofMinutes(1);
  /** Idle arrays kept for reuse: enough for the default six transfers at once. */
  private static final int POOL_IDLE = 96;

  private final RegistryClient client;
  private final ExecutorService uploads;
  private final int resumeAttempts;
  private final AtomicLong sourceBytes = new AtomicLong();
  private final ChunkPool pool = new ChunkPool(CHUNK, POOL_IDLE);

  /** Content that can never be right, however often it is read again. */
  private static final class BadContentException extends IOException {
    private static final long serialVersionUID = 1L;

    BadContentException(String message) {
      super(message);
    }
  }

  private final Progress progress;

  private final Duration readTimeout;
  private final RangedReads ranged;
  /** The run's ranges in flight, over all its blobs: what bounds the memory of ranged reads. */
  private final Semaphore rangeSlots;

  BlobFanout(RegistryClient client, ExecutorService uploads, int resumeAttempts, Progress progress, Duration readTimeout) {
    this(client, uploads, resumeAttempts, progress, readTimeout, RangedReads.DEFAULT);
  }

  BlobFanout(RegistryClient client, ExecutorService uploads, int resumeAttempts, Progress progress, Duration readTimeout,
      RangedReads ranged) {
    this.client = client;
    this.uploads = uploads;
    this.resumeAttempts = resumeAttempts;
    this.progress = progress;
    this.readTimeout = readTimeout;
    this.ranged = ranged;
    this.rangeSlots = new Semaphore(ranged.parallel(), true);
  }

  long sourceBytesRead() {
    return sourceBytes.get();
  }

  /**
   * Copies the blob to every target. Returns the failure of each target that did not get it;
   * an empty map means all of them hold the blob now.
   */
  Map<ImageReference, RuntimeException> transfer(ImageReference source, Digest digest, long declaredSize,
      List<ImageReference> targets) throws InterruptedException {
    return transfer(source, digest, declaredSize, targets, new AtomicLong());
  }

  /** As above, adding the bytes read from the source for this transfer to {@code readHere}. */
  Map<ImageReference, RuntimeException> transfer(ImageReference source, Digest digest, long declaredSize,
      List<ImageReference> targets, AtomicLong readHere) throws InterruptedException {
    // A large blob is read as several ranges at once where the source honours Range; the bytes
    // still come out in order, hashed and checked as one download's.
    BlobStream first = ranged.applies(declaredSize)
        ? RangedRead.open(client, source, digest, declaredSize, ranged, rangeSlots, uploads, pool, readTimeout, resumeAttempts)
        : client.openBlob(source, digest, 0, readTimeout);
    long size = declaredSize >= 0 ? declaredSize : first.length();
    if (size < 0) {
      closeQuietly(first.body());
      throw new RegistryException("download blob " + digest.shortHex() + " from " + source.name(), 200, "",
          "the registry gave no size for it and the manifest names none");
    }
    List<ChunkPipe> pipes = new ArrayList<>();
    Map<ImageReference, Future<?>> running = new LinkedHashMap<>();
    for (ImageReference target : targets) {
      ChunkPipe pipe = new ChunkPipe(PIPE_CHUNKS);
      pipes.add(pipe);
      running.put(target, uploads.submit(() -> {
        try {
          client.uploadBlob(target, digest, size, pipe);
        } finally {
          pipe.uploadDone();
        }
        return null;
      }));
    }
    IOException sourceFailure = null;
    boolean badContent = false;
    try {
      pump(source, digest, size, first, pipes, targets, readHere);
      for (ChunkPipe pipe : pipes) {
        pipe.close();
      }
    } catch (IOException | RuntimeException e) {
      sourceFailure = e instanceof IOException io ? io : new IOException(Failures.describe(e), e);
      badContent = e instanceof BadContentException;
      for (ChunkPipe pipe : pipes) {
        pipe.fail(sourceFailure);
      }
    } finally {
      for (ChunkPipe pipe : pipes) {
        pipe.abandon();
      }
    }
    RegistryException sourceError = sourceFailure == null ? null : new RegistryException(
        "copy blob " + digest.shortHex() + " from " + source.name(), badContent ? 200 : 0,
        badContent ? "DIGEST_INVALID" : "", Failures.describe(sourceFailure), sourceFailure);
    Map<ImageReference, RuntimeException> failures = new LinkedHashMap<>();
    int index = 0;
    for (Map.Entry<ImageReference, Future<?>> e : running.entrySet()) {
      ChunkPipe pipe = pipes.get(index++);
      Throwable cause = awaitUpload(e.getValue(), pipe);
      if (pipe.stalled()) {
        // Its connection was dropped when it stalled; the upload's own error would only say so.
        failures.put(e.getKey(), new RegistryException("upload blob " + digest.shortHex() + " to " + e.getKey().name(),
            0, "", "the registry took no bytes for " + ChunkPipe.STALL_LIMIT.toMinutes() + " minutes"));
      } else if (cause != null) {
        failures.put(e.getKey(), sourceError != null ? sourceError
            : cause instanceof RuntimeException re ? re : new RegistryException(
                "upload blob " + digest.shortHex() + " to " + e.getKey().name(), 0, "", Failures.describe(cause), cause));
      }
    }
    if (sourceError != null) {
      for (ImageReference target : targets) {
        failures.putIfAbsent(target, sourceError);
      }
    }
    return failures;
  }

  /** Reads the source to the end, feeding every live pipe; resumes broken downloads. */
  private void pump(ImageReference source, Digest digest, long size, BlobStream opened, List<ChunkPipe> pipes,
      List<ImageReference> targets, AtomicLong readHere) throws IOException, InterruptedException {
    MessageDigest hash = digest.newMessageDigest();
    long received = 0;
    BlobStream stream = opened;
    int resumes = 0;
    while (true) {
      long skip = received - stream.offset();
      try (InputStream in = stream.body()) {
        // Fill whole chunks: fewer, larger hand-offs; each chunk array is handed to every upload
        // as it is, never copied. A broken read keeps the bytes it already got.
        byte[] chunk = pool.take();
        int filled = 0;
        IOException broken = null;
        while (true) {
          int n;
          try {
            n = in.read(chunk, filled, chunk.length - filled);
          } catch (SocketTimeoutException e) {
            broken = new IOException("no bytes for " + readTimeout.toSeconds() + " s", e);
            n = -1;
          } catch (IOException e) {
            broken = e;
            n = -1;
          }
          if (n > 0) {
            sourceBytes.addAndGet(n);
            readHere.addAndGet(n);
            filled += n;
          }
          if (filled == chunk.length || (n < 0 && filled > 0)) {
            byte[] full = chunk;
            chunk = null; // from here on the chunk's holders own it
            long total = emit(full, filled, skip, received, size, digest, hash, pipes, targets);
            if (total < 0) {
              return; // every upload failed already; their errors say why
            }
            skip = Math.max(0, skip - filled);
            received = total;
            chunk = pool.take();
            filled = 0;
          }
          if (n < 0) {
            break;
          }
        }
        pool.give(chunk);
        if (broken != null) {
          throw broken;
        }
        if (received == size) {
          break;
        }
        throw new IOException("download of blob " + digest.shortHex() + " ended after " + received + " of " + size + " bytes");
      } catch (IOException e) {
        if (e instanceof BadContentException || resumes >= resumeAttempts) {
          throw e;
        }
        resumes++;
        LOG.get().debug("download of blob {} from {} broke after {} of {} bytes ({}); resuming", digest.shortHex(),
            source.name(), received, size, e.getMessage());
        stream = client.openBlob(source, digest, received, readTimeout);
      }
    }
    if (size == 0) {
      verify(digest, hash); // no bytes came, so emit never checked
    }
  }

  private static void verify(Digest digest, MessageDigest hash) throws BadContentException {
    if (!digest.matches(hash)) {
      throw new BadContentException("blob " + digest + " does not match its digest: refusing to push it");
    }
  }

  /**
   * Hashes one chunk and hands it to every live upload; {@code skip} leading bytes are dropped
   * (already received before a resume the registry answered from the start). Returns the bytes
   * received so far, or -1 when no upload is left.
   */
  private long emit(byte[] chunk, int length, long skip, long received, long size, Digest digest, MessageDigest hash,
      List<ChunkPipe> pipes, List<ImageReference> targets) throws IOException, InterruptedException {
    int from = (int) Math.min(skip, length);
    int count = length - from;
    if (count == 0) {
      return received;
    }
    hash.update(chunk, from, count);
    long total = received + count;
    if (total > size) {
      throw new BadContentException("blob " + digest + " is longer than the " + size + " bytes its descriptor says");
    }
    if (total == size) {
      // The last bytes go to no upload before the whole blob checks out: an upload cannot complete
      // with wrong content, even to a registry that would not check the digest itself.
      verify(digest, hash);
    }
    Chunk shared = new Chunk(chunk, from, count, pool);
    boolean anyAlive = false;
    try {
      for (int i = 0; i < pipes.size(); i++) {
        shared.retain();
        if (pipes.get(i).write(shared)) {
          anyAlive = true;
          progress.advance(targets.get(i), count);
        } else {
          shared.release();
        }
      }
    } finally {
      shared.release();
    }
    return anyAlive ? total : -1;
  }

  /**
   * Waits for one upload to end and returns why it failed, or null. The source may have finished
   * while the upload still writes its last megabyte (a small blob fits in the pipe whole), so the
   * upload is watched here too: stuck for the stall limit, its connection is dropped. An upload that
   * does not end even then is left behind, reported as stalled, on a daemon thread.
   */
  private static Throwable awaitUpload(Future<?> upload, ChunkPipe pipe) throws InterruptedException {
    long givenUpAt = 0;
    while (true) {
      try {
        upload.get(250, TimeUnit.MILLISECONDS);
        return null;
      } catch (ExecutionException e) {
        return e.getCause();
      } catch (TimeoutException e) {
        if (pipe.checkStalled()) {
          if (givenUpAt == 0) {
            givenUpAt = System.nanoTime();
          } else if (System.nanoTime() - givenUpAt > ABORT_GRACE.toNanos()) {
            return null;
          }
        }
      }
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // Dropping the connection is all that is left to do.
    }
  }
}
