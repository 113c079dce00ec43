package dev.ecrmirror.controller.table;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What the controller last wrote on a row: the dashboard part of the table.
 *
 * @param status the last status, empty for a row never checked
 * @param sourceDigest the source digest at the last check
 * @param destinationDigests each destination's digest at the last check (missing ones absent)
 * @param checkedAt when the row was last checked
 * @param mirroredAt when a job last finished writing it
 * @param jobId the job last submitted for it
 * @param lastError why the last check or job failed
 * @param claimToken the token of the claim that submitted the current job
 * @param claimedDigest the source digest the current claim is for
 * @param mirroredSourceDigest the source digest the last successful job copied
 * @param mirroredDigests what the last successful job left at each destination
 * @param mirroredPlatforms the platform selection of the last successful job, normalized
 * @param leaseUntil until when the current claim is held
 * @param attempts failed attempts in a row at the claimed digest
 * @param nextAttemptAt when a retrying row's next attempt is due
 * @param destinationErrors per destination that failed, why
 */
public record RowState(Optional<RowStatus> status, Optional<String> sourceDigest, Map<String, String> destinationDigests,
    Optional<Instant> checkedAt, Optional<Instant> mirroredAt, Optional<String> jobId, Optional<String> lastError,
    Optional<String> claimToken, Optional<String> claimedDigest, Optional<String> mirroredSourceDigest,
    Map<String, String> mirroredDigests, Optional<String> mirroredPlatforms, Optional<Instant> leaseUntil,
    int attempts, Optional<Instant> nextAttemptAt, Map<String, String> destinationErrors) {

  public RowState {
    destinationDigests = Map.copyOf(destinationDigests);
    mirroredDigests = Map.copyOf(mirroredDigests);
    destinationErrors = Map.copyOf(destinationErrors);
  }

  /** The state of a row the controller never wrote. */
  public static RowState empty() {
    return new RowState(Optional.empty(), Optional.empty(), Map.of(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Map.of(),
        Optional.empty(), Optional.empty(), 0, Optional.empty(), Map.of());
  }

  /** The failed attempts that count for a check at the claimed digest ({@code sameDigest}); none for a new digest. */
  public int attempts(boolean sameDigest) {
    return sameDigest ? attempts : 0;
  }

  public boolean is(RowStatus s) {
    return status.filter(s::equals).isPresent();
  }
}
