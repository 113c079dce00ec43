package dev.ecrmirror.worker;

import dev.ecrmirror.common.Failures;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Waiting for a step's tasks: each charges its own failures to its destination; anything else fails
 * them all ({@link #awaitAll}), or, where the step's tasks catch everything they expect, is thrown
 * ({@link #awaitOrThrow}).
 */
final class Tasks {
  private Tasks() {}

  /** Waits for every task; a task that threw fails every destination of {@code work}. */
  static void awaitAll(List<Future<?>> futures, List<Target> work) {
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (ExecutionException e) {
        work.forEach(t -> t.fail(e.getCause()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  /** Waits for tasks that charge their own failures; anything they let escape is a bug, so it is thrown ({@link #await}). */
  static void awaitOrThrow(List<Future<?>> futures) {
    futures.forEach(Tasks::await);
  }

  /** The task's answer; what it threw, rethrown. */
  static <T> T await(Future<T> f) {
    try {
      return f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(Failures.describe(e.getCause()), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
