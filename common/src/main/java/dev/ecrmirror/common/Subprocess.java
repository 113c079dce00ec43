package dev.ecrmirror.common;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short-lived program under a deadline that holds: its input is written and its output read
 * on threads of their own, so a program that never answers is killed, with its children, when the
 * time is up instead of leaving the caller blocked on a read that only the program's exit ends.
 */
public final class Subprocess {
  /** Enough for any answer the callers expect (a credential, a commit id); the rest is read and dropped. */
  private static final int MAX_OUTPUT = 1024 * 1024;
  private static final int MAX_ERROR_OUTPUT = 4 * 1024;

  private Subprocess() {}

  /** What a program that finished in time did: its exit code, stdout, and the start of its stderr. */
  public record Result(int exitCode, byte[] stdout, String stderr) {
    /** Standard output as UTF-8 text. */
    public String stdoutText() {
      return new String(stdout, StandardCharsets.UTF_8);
    }
  }

  /** The program did not finish within its time; it and every process it started have been killed. */
  public static final class TimedOut extends IllegalStateException {
    TimedOut(String message) {
      super(message);
    }
  }

  /**
   * Starts {@code command}, writes {@code stdin} to it and waits up to {@code timeout} for it to exit
   * and close its output.
   *
   * @param what the program as a user would name it in an error, e.g. {@code credential helper
   *     docker-credential-pass (asked for ghcr.io)}
   * @throws TimedOut "WHAT did not answer within 10 s; killed", once the program and its children are gone
   * @throws IOException when the program cannot be started
   */
  public static Result run(ProcessBuilder command, byte[] stdin, Duration timeout, String what)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Process process = command.start();
    Thread writer = Thread.ofPlatform().daemon().name("subprocess-stdin").start(() -> {
      try (OutputStream in = process.getOutputStream()) {
        in.write(stdin);
      } catch (IOException e) {
        // The program exited or closed its input without reading it all: its exit code says what happened.
      }
    });
    Drain out = Drain.start(process.getInputStream(), MAX_OUTPUT, "subprocess-stdout");
    Drain err = Drain.start(process.getErrorStream(), MAX_ERROR_OUTPUT, "subprocess-stderr");
    try {
      // Finished means exited and its output closed: a child that inherited stdout can hold it open.
      boolean finished = process.waitFor(remaining(deadline), TimeUnit.NANOSECONDS)
          && out.await(remaining(deadline)) && err.await(remaining(deadline));
      if (!finished) {
        kill(process);
        throw new TimedOut(what + " did not answer within " + seconds(timeout) + "; killed");
      }
      writer.join(Duration.ofMillis(100));
      return new Result(process.exitValue(), out.bytes(), new String(err.bytes(), StandardCharsets.UTF_8).strip());
    } catch (InterruptedException e) {
      kill(process);
      throw e;
    }
  }

  /**
   * Kills the program and every process under it, and reaps the program. Its children, re-parented
   * once it dies, are reaped by init: they are killed, but not waited for.
   */
  private static void kill(Process process) throws InterruptedException {
    // Collected first: once the parent is dead its children are re-parented and no longer its descendants.
    List<ProcessHandle> children = process.descendants().toList();
    process.destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
    process.waitFor(5, TimeUnit.SECONDS);
  }

  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  private static String seconds(Duration timeout) {
    return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
  }

  /** Reads a stream to its end on its own thread, keeping at most {@code limit} bytes. */
  private static final class Drain {
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final Thread thread;

    private Drain(InputStream stream, int limit, String name) {
      this.thread = Thread.ofPlatform().daemon().name(name).unstarted(() -> {
        byte[] buffer = new byte[8192];
        try (stream) {
          for (int n; (n = stream.read(buffer)) >= 0; ) {
            synchronized (kept) {
              kept.write(buffer, 0, Math.max(0, Math.min(n, limit - kept.size())));
            }
          }
        } catch (IOException e) {
          // The stream closed under us (the program was killed): what was read is all there is.
        }
      });
    }

    static Drain start(InputStream stream, int limit, String name) {
      Drain drain = new Drain(stream, limit, name);
      drain.thread.start();
      return drain;
    }

    boolean await(long nanos) throws InterruptedException {
      return thread.join(Duration.ofNanos(Math.max(1, nanos)));
    }

    byte[] bytes() {
      synchronized (kept) {
        return kept.toByteArray();
      }
    }
  }
}
