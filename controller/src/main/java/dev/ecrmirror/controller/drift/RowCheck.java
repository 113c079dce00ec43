package dev.ecrmirror.controller.drift;

import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.controller.table.Destination;
import dev.ecrmirror.controller.table.MirrorRow;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of checking one row.
 *
 * @param row the row
 * @param sourceDigest the source's digest, when it could be resolved
 * @param destinationDigests each destination's digest, by {@link Destination#key()}, for those that exist
 * @param drifted the destinations a job must write, in row order
 * @param why for each drifted destination key, why it drifted
 * @param error why the row could not be checked (no job then)
 * @param cause the exception behind {@code error}, when there was one ({@code Failures.kind} reads it)
 */
public record RowCheck(MirrorRow row, Optional<Digest> sourceDigest, Map<String, String> destinationDigests,
    List<Destination> drifted, Map<String, String> why, Optional<String> error, Optional<Throwable> cause)
    implements Check {

  /** A check with no exception behind its error (or no error). */
  public RowCheck(MirrorRow row, Optional<Digest> sourceDigest, Map<String, String> destinationDigests,
      List<Destination> drifted, Map<String, String> why, Optional<String> error) {
    this(row, sourceDigest, destinationDigests, drifted, why, error, Optional.empty());
  }

  public RowCheck {
    destinationDigests = Map.copyOf(destinationDigests);
    drifted = List.copyOf(drifted);
    why = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(why));
  }

  public boolean failed() {
    return error.isPresent();
  }

  public boolean inSync() {
    return error.isEmpty() && drifted.isEmpty();
  }
}
