package dev.ecrmirror.worker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * A listening socket on a free loopback port that gives each connection it accepts to a handler on
 * a virtual thread of its own, until closed: the accepting half of the tests' proxies.
 */
final class LoopbackAcceptor implements AutoCloseable {
  private final ServerSocket server;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

  private LoopbackAcceptor(Consumer<Socket> handler) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.submit(() -> acceptLoop(handler));
  }

  /** Listens, and serves every connection with {@code handler}, which closes it when done. */
  static LoopbackAcceptor start(Consumer<Socket> handler) throws IOException {
    return new LoopbackAcceptor(handler);
  }

  int port() {
    return server.getLocalPort();
  }

  /** Runs {@code task} on a thread of its own, stopped with the others on {@link #close()}. */
  <T> Future<T> submit(Callable<T> task) {
    return threads.submit(task);
  }

  private void acceptLoop(Consumer<Socket> handler) {
    while (!server.isClosed()) {
      try {
        Socket connection = server.accept();
        threads.submit(() -> handler.accept(connection));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  /** Stops listening and interrupts every handler still running. */
  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // Already closed.
    }
    threads.shutdownNow();
  }
}
