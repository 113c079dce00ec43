package dev.ecrmirror.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecrmirror.worker.ChunkPool.Chunk;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The hand-off of source bytes to uploads: what each upload writes, and when an array may be reused. */
class ChunkPipeTest {
  private final ChunkPool pool = new ChunkPool(16, 8);

  private Chunk chunk(String text) {
    byte[] array = pool.take();
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(bytes, 0, array, 0, bytes.length);
    return new Chunk(array, 0, bytes.length, pool);
  }

  /** Hands a chunk to every pipe as the fan-out does: one hold per pipe that took it, then drops its own. */
  private static void handOut(Chunk chunk, ChunkPipe... pipes) throws InterruptedException {
    for (ChunkPipe pipe : pipes) {
      chunk.retain();
      if (!pipe.write(chunk)) {
        chunk.release();
      }
    }
    chunk.release();
  }

  @Test
  void eachUploadWritesEveryChunkInOrder() throws Exception {
    ChunkPipe a = new ChunkPipe(4);
    ChunkPipe b = new ChunkPipe(4);
    handOut(chunk("hello "), a, b);
    handOut(chunk("world"), a, b);
    a.close();
    b.close();

    ByteArrayOutputStream outA = new ByteArrayOutputStream();
    ByteArrayOutputStream outB = new ByteArrayOutputStream();
    a.writeTo(outA);
    b.writeTo(outB);

    assertThat(outA.toString(StandardCharsets.UTF_8)).isEqualTo("hello world");
    assertThat(outB.toString(StandardCharsets.UTF_8)).isEqualTo("hello world");
  }

  @Test
  void anArrayIsReusedOnlyAfterEveryUploadWroteIt() throws Exception {
    ChunkPipe a = new ChunkPipe(4);
    ChunkPipe b = new ChunkPipe(4);
    Chunk shared = chunk("shared");
    handOut(shared, a, b);
    a.close();
    a.writeTo(new ByteArrayOutputStream());

    assertThat(pool.take()).as("b has not written it yet").isNotSameAs(shared.array());

    b.close();
    b.writeTo(new ByteArrayOutputStream());

    assertThat(pool.take()).isSameAs(shared.array());
  }

  @Test
  void anUploadThatEndsEarlyGivesBackWhatItDidNotWrite() throws Exception {
    ChunkPipe gone = new ChunkPipe(4);
    Chunk queued = chunk("never written");
    handOut(queued, gone);

    gone.uploadDone();

    assertThat(pool.take()).isSameAs(queued.array());
    assertThat(gone.write(chunk("late"))).as("a gone upload takes nothing more").isFalse();
  }

  @Test
  void aFailedSourceFailsTheUploadInsteadOfEndingItCleanly() throws Exception {
    ChunkPipe pipe = new ChunkPipe(4);
    handOut(chunk("partial"), pipe);
    pipe.fail(new IOException("source connection reset"));

    assertThatThrownBy(() -> pipe.writeTo(new ByteArrayOutputStream()))
        .isInstanceOf(IOException.class).hasMessageContaining("source connection reset");
  }

  @Test
  void theBodyCannotBeSentTwice() throws Exception {
    ChunkPipe pipe = new ChunkPipe(4);
    pipe.close();
    pipe.writeTo(new ByteArrayOutputStream());

    assertThatThrownBy(() -> pipe.writeTo(new ByteArrayOutputStream()))
        .isInstanceOf(IOException.class).hasMessageContaining("already sent once");
  }

  @Test
  void anUploadThatTakesNothingIsDroppedAndItsConnectionClosed() throws Exception {
    ChunkPipe stuck = new ChunkPipe(1, Duration.ofMillis(200));
    CountDownLatch aborted = new CountDownLatch(1);
    stuck.abortWith(aborted::countDown);
    handOut(chunk("fills the pipe"), stuck);

    assertThat(stuck.write(chunk("waits"))).as("given up on").isFalse();
    assertThat(stuck.stalled()).isTrue();
    assertThat(aborted.await(5, TimeUnit.SECONDS)).as("the blocked write's connection was dropped").isTrue();
  }

  @Test
  void anUploadStuckInItsLastWriteIsDroppedAfterTheSourceHasFinished() throws Exception {
    // A small blob fits in the pipe whole: the source is done before the upload writes a byte.
    ChunkPipe pipe = new ChunkPipe(4, Duration.ofMillis(200));
    CountDownLatch dropped = new CountDownLatch(1);
    pipe.abortWith(dropped::countDown);
    handOut(chunk("the whole blob"), pipe);
    pipe.close();
    OutputStream registryThatTakesNothing = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        try {
          dropped.await(); // until the connection is dropped
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new IOException("connection reset");
      }
    };
    Thread upload = Thread.ofPlatform().start(() -> {
      try {
        pipe.writeTo(registryThatTakesNothing);
      } catch (IOException e) {
        // the dropped connection
      }
    });
    Thread.sleep(400);

    assertThat(pipe.checkStalled()).as("stuck in a write past the limit").isTrue();
    assertThat(dropped.await(5, TimeUnit.SECONDS)).as("its connection was dropped").isTrue();
    upload.join(5000);
    assertThat(upload.isAlive()).isFalse();
  }

  @Test
  void anUploadWaitingForTheSourceIsNotStalled() throws Exception {
    ChunkPipe pipe = new ChunkPipe(4, Duration.ofMillis(100));
    Thread.sleep(300); // nothing to take: a slow source is not the upload's fault

    assertThat(pipe.checkStalled()).isFalse();
  }

  @Test
  void anAbandonedPipeStopsItsWaitingUpload() {
    ChunkPipe pipe = new ChunkPipe(4);
    pipe.abandon();

    assertThatThrownBy(() -> pipe.writeTo(new ByteArrayOutputStream()))
        .isInstanceOf(IOException.class).hasMessageContaining("stopped sending");
  }
}
