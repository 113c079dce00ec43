package dev.ecrmirror.controller.drift;

import dev.ecrmirror.common.ref.Digest;
import java.util.Optional;

/** What a digest look-up found: a digest, nothing (the image does not exist), or an error. */
public sealed interface Lookup {
  /** The reference points at this manifest digest. */
  record Found(Digest digest) implements Lookup {}

  /** The registry answered that there is no such image. */
  record Missing() implements Lookup {}

  /**
   * The registry could not be asked (unreachable, denied, throttled past retries).
   *
   * @param error the line recorded for the row
   * @param cause the exception, when there was one: {@code Failures.kind} reads what it means
   *     (a spent rate budget defers the row rather than failing it)
   */
  record Failed(String error, Optional<Throwable> cause) implements Lookup {
    public Failed(String error) {
      this(error, Optional.empty());
    }

    public Failed(String error, Throwable cause) {
      this(error, Optional.of(cause));
    }
  }
}
