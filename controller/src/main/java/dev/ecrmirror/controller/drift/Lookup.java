package dev.ecrmirror.controller.drift;

import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.ref.Digest;

/** What a digest look-up found: a digest, nothing (the image does not exist), or an error. */
public sealed interface Lookup {
  /** The reference points at this manifest digest. */
  record Found(Digest digest) implements Lookup {}

  /** The registry answered that there is no such image. */
  record Missing() implements Lookup {}

  /** The registry could not be asked (unreachable, denied, throttled past retries), and what that means. */
  record Failed(Failure failure) implements Lookup {
    /** A transient failure with this message. */
    public Failed(String error) {
      this(Failure.transientFailure(error));
    }

    /** Why, in one line. */
    public String error() {
      return failure.message();
    }
  }
}
