package dev.ecrmirror.worker;

import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import java.time.Duration;
import java.util.Optional;

/**
 * What happened at one destination.
 *
 * @param destination the destination as resolved (with the tag written, if any)
 * @param status the outcome
 * @param digest the digest the destination now holds (the source's, when not failed)
 * @param blobsUploaded blobs whose bytes were sent
 * @param blobsMounted blobs mounted from another repository of the same registry
 * @param blobsPresent blobs the destination already had
 * @param bytesUploaded bytes sent for uploaded blobs
 * @param elapsed wall time spent on this destination
 * @param failure why it failed and what that means for the next attempt, when it did
 */
public record DestinationResult(ImageReference destination, Status status, Optional<Digest> digest,
    int blobsUploaded, int blobsMounted, int blobsPresent, long bytesUploaded, Duration elapsed,
    Optional<Failure> failure) {

  /** The outcome at one destination. */
  public enum Status {
    /** The image was copied. */
    COPIED,
    /** The destination already held the source digest: nothing was pushed. */
    IN_SYNC,
    /** Dry run: the destination differs and would be copied. */
    WOULD_COPY,
    /** The copy failed; {@link #failure()} says why. Nothing was tagged. */
    FAILED
  }

  public DestinationResult {
    // A failed result always says why, and only a failed one does: readers take "no failure" as success.
    if ((status == Status.FAILED) != failure.isPresent()) {
      throw new IllegalArgumentException("a " + status + " result " + (failure.isPresent() ? "with" : "without")
          + " a failure");
    }
  }

  /** Why it failed, one line, when it did. */
  public Optional<String> error() {
    return failure.map(Failure::message);
  }

  public boolean ok() {
    return status != Status.FAILED;
  }
}
