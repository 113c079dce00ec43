package dev.ecrmirror.common.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecrmirror.common.testing.StubHttpServer;
import dev.ecrmirror.common.testing.StubHttpServer.Response;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The blocking transport against real sockets: whole bodies, bodies that fail, and writes nobody takes. */
class TransportTest {
  private final Transport transport = new Transport();

  @Test
  void sendsTheBodyItDeclaresAndReadsTheAnswer() throws Exception {
    try (StubHttpServer server = StubHttpServer.start(r -> new Response(201, Map.of("Location", "/done"), r.body()))) {
      byte[] body = "twelve bytes".getBytes();
      try (Transport.Response response = transport.exchange(Transport.Request.withBytes("PUT",
          server.uri().resolve("/v2/a/blobs/uploads/x"), Map.of("User-Agent", "test"), body, Duration.ofSeconds(5)))) {
        assertThat(response.status()).isEqualTo(201);
        assertThat(response.header("location")).as("header names are case-insensitive").contains("/done");
        assertThat(response.bytes(100)).isEqualTo(body);
      }
      assertThat(server.requests().get(0).header("User-Agent")).isEqualTo("test");
    }
  }

  @Test
  void aBodyThatFailsMidWayNeverReachesTheServerWhole() throws Exception {
    try (StubHttpServer server = StubHttpServer.start(r -> new Response(201, Map.of(), new byte[0]))) {
      RegistryClient.BlobBody failing = out -> {
        out.write(new byte[1000]);
        throw new IOException("source connection reset");
      };

      assertThatThrownBy(() -> transport.exchange(new Transport.Request("PUT", server.uri().resolve("/v2/a/blobs/uploads/x"),
          Map.of(), 2000, failing, Duration.ofSeconds(5)))).hasMessageContaining("source connection reset");
      Thread.sleep(200);
      assertThat(server.requests()).as("requests whose whole body arrived").isEmpty();
    }
  }

  @Test
  void anAbortEndsAWriteTheServerNeverTakes() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ExecutorService threads = Executors.newCachedThreadPool()) {
      CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
        try {
          return silent.accept(); // and never read
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }, threads);
      AtomicReference<Runnable> abort = new AtomicReference<>();
      long size = 256L * 1024 * 1024;
      RegistryClient.BlobBody endless = new RegistryClient.BlobBody() {
        @Override
        public void writeTo(OutputStream out) throws IOException {
          byte[] block = new byte[64 * 1024];
          for (long left = size; left > 0; left -= block.length) {
            out.write(block);
          }
        }

        @Override
        public void abortWith(Runnable hook) {
          abort.set(hook);
        }
      };
      URI uri = URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/v2/a/blobs/uploads/x");
      CompletableFuture<Transport.Response> upload = CompletableFuture.supplyAsync(() -> {
        try {
          return transport.exchange(new Transport.Request("PUT", uri, Map.of(), size, endless, Duration.ofMinutes(5)));
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }, threads);
      try (Socket peer = accepted.get(10, TimeUnit.SECONDS)) {
        Thread.sleep(500); // the socket buffers fill and the write blocks
        assertThat(upload).as("blocked on a peer that reads nothing").isNotDone();
        abort.get().run();

        assertThatThrownBy(() -> upload.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
      }
    }
  }
}
