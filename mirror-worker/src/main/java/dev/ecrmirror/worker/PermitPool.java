package dev.ecrmirror.worker;

import dev.ecrmirror.common.registry.RegistryException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Bounds one run's registry calls to {@code jobs} at a time, whether they run on the run's threads
 * or on the caller's.
 *
 * <p>The permit is taken on the submitting thread, before a pool thread is asked for, so the
 * (unbounded, cached) pool never holds idle threads waiting for a permit; a task never waits for
 * another task, so the permits cannot deadlock.
 */
final class PermitPool {
  private final ExecutorService threads;
  private final Semaphore permits;
  private final String action;

  /** {@code action} names the run in the error an interrupted wait for a permit throws, e.g. {@code copy <source>}. */
  PermitPool(ExecutorService threads, int jobs, String action) {
    this.threads = threads;
    this.permits = new Semaphore(jobs);
    this.action = action;
  }

  /** Runs the task on a pool thread once a permit is free; waits for the permit here, so no idle thread does. */
  <T> Future<T> submit(Callable<T> task) {
    acquire();
    try {
      return threads.submit(() -> {
        try {
          return task.call();
        } finally {
          permits.release();
        }
      });
    } catch (RuntimeException e) {
      permits.release();
      throw e;
    }
  }

  /** Runs a registry call on this thread once a permit is free; an interrupted wait is a {@link RegistryException}. */
  void run(Runnable call) {
    acquire();
    try {
      call.run();
    } finally {
      permits.release();
    }
  }

  /** Runs the task on this thread once a permit is free; an interrupted wait throws {@link InterruptedException}. */
  <T> T call(Callable<T> task) throws Exception {
    permits.acquire();
    try {
      return task.call();
    } finally {
      permits.release();
    }
  }

  private void acquire() {
    try {
      permits.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException(action, 0, "", "interrupted", e);
    }
  }
}
