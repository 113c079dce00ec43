package dev.ecrmirror.controller.drift;

import dev.ecrmirror.common.Failure;
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
 * @param failure why the source could not be checked (no job then)
 * @param destinationErrors per destination that could not be checked, why; the others are judged
 *     and copied all the same
 */
public record RowCheck(MirrorRow row, Optional<Digest> sourceDigest, Map<String, String> destinationDigests,
    List<Destination> drifted, Map<String, String> why, Optional<Failure> failure,
    Map<String, Failure> destinationErrors) implements Check {

  public RowCheck {
    destinationDigests = Map.copyOf(destinationDigests);
    drifted = List.copyOf(drifted);
    why = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(why));
    destinationErrors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(destinationErrors));
  }

  /** True when the source could not be checked. */
  public boolean failed() {
    return failure.isPresent();
  }

  /** Why the source could not be checked. */
  public Optional<String> error() {
    return failure.map(Failure::message);
  }

  /** True when every destination was checked and holds what it should. */
  public boolean inSync() {
    return failure.isEmpty() && drifted.isEmpty() && destinationErrors.isEmpty();
  }
}
