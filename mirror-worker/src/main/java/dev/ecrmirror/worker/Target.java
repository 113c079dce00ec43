package dev.ecrmirror.worker;

import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.FailureKind;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** One destination of a single-image copy, and its state while the run goes on. */
final class Target {
  final ImageReference ref;
  final long started = System.nanoTime();
  final Set<Digest> present = ConcurrentHashMap.newKeySet();
  final Set<Digest> presentManifests = ConcurrentHashMap.newKeySet();
  int uploaded;
  int mounted;
  long bytes;
  /** The first failure here, or null while it is fine. */
  volatile Failure failure;
  /** The other digest the destination tag holds before the copy, if any (for --existing-tags backup). */
  Optional<Digest> holds = Optional.empty();

  /** {@code ref} names what to push: a tag, or a digest when the destination takes none. */
  Target(ImageReference ref) {
    this.ref = ref;
  }

  synchronized void countUpload(long size) {
    uploaded++;
    bytes += size;
  }

  synchronized void countMount() {
    mounted++;
  }

  /** Records the failure unless an earlier one is recorded: the first is what went wrong. */
  synchronized void fail(Failure f) {
    if (failure == null) {
      failure = f;
    }
  }

  /** Records the failure, naming the exception's type when it has no message. */
  void fail(Throwable e) {
    fail(Failure.of(e));
  }

  /** Records that the request itself cannot be done here: trying again would not help. */
  void impossible(String message) {
    fail(new Failure(FailureKind.PERMANENT, message));
  }

  Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - started);
  }
}
