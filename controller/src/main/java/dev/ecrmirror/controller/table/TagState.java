package dev.ecrmirror.controller.table;

import static dev.ecrmirror.controller.table.Attributes.*;
import static dev.ecrmirror.controller.table.ItemReaders.instant;
import static dev.ecrmirror.controller.table.ItemReaders.string;
import static dev.ecrmirror.controller.table.ItemReaders.stringMap;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What the controller knows of one selected tag of a repository row: an item of the tag-state
 * table, keyed by the row's {@code Source} and the tag.
 *
 * @param tag the tag (the same at the source and at every destination)
 * @param status where the tag stands
 * @param sourceDigest the source's digest for the tag at the last check
 * @param destinationDigests each destination repository's digest for the tag (absent where missing)
 * @param lastError why the tag's check or copy failed
 * @param jobId the job that was given the tag, while it is submitted
 * @param mirroredSourceDigest the source digest the last successful copy of the tag wrote
 * @param mirroredDigests what that copy left at each destination (differs from the source with Platforms)
 * @param mirroredPlatforms the row's platform selection at that copy, normalized
 * @param changedAt when the item last changed; not part of {@link #sameAs}
 * @param attempts failed copies of the tag in a row at its source digest
 * @param nextAttemptAt when a {@code retrying} tag's next copy is due
 */
public record TagState(String tag, RowStatus status, Optional<String> sourceDigest, Map<String, String> destinationDigests,
    Optional<String> lastError, Optional<String> jobId, Optional<String> mirroredSourceDigest,
    Map<String, String> mirroredDigests, Optional<String> mirroredPlatforms, Optional<Instant> changedAt, int attempts,
    Optional<Instant> nextAttemptAt) {

  /** A tag state without failed attempts. */
  public TagState(String tag, RowStatus status, Optional<String> sourceDigest, Map<String, String> destinationDigests,
      Optional<String> lastError, Optional<String> jobId, Optional<String> mirroredSourceDigest,
      Map<String, String> mirroredDigests, Optional<String> mirroredPlatforms, Optional<Instant> changedAt) {
    this(tag, status, sourceDigest, destinationDigests, lastError, jobId, mirroredSourceDigest, mirroredDigests,
        mirroredPlatforms, changedAt, 0, Optional.empty());
  }

  public TagState {
    destinationDigests = Map.copyOf(destinationDigests);
    mirroredDigests = Map.copyOf(mirroredDigests);
  }

  /** True when both say the same of the tag, whenever they were written. */
  public boolean sameAs(TagState other) {
    return other != null && tag.equals(other.tag) && status == other.status && sourceDigest.equals(other.sourceDigest)
        && destinationDigests.equals(other.destinationDigests) && lastError.equals(other.lastError)
        && jobId.equals(other.jobId) && mirroredSourceDigest.equals(other.mirroredSourceDigest)
        && mirroredDigests.equals(other.mirroredDigests) && mirroredPlatforms.equals(other.mirroredPlatforms)
        && attempts == other.attempts && nextAttemptAt.equals(other.nextAttemptAt);
  }

  public TagState withStatus(RowStatus newStatus, Optional<String> error, Optional<String> job) {
    return new TagState(tag, newStatus, sourceDigest, destinationDigests, error, job, mirroredSourceDigest,
        mirroredDigests, mirroredPlatforms, changedAt, attempts, nextAttemptAt);
  }

  /** The same tag after a failed attempt: its status, why, the count and when the next is due. */
  public TagState withAttempt(RowStatus newStatus, String error, int count, Optional<Instant> next) {
    return new TagState(tag, newStatus, sourceDigest, destinationDigests, Optional.of(error), Optional.empty(),
        mirroredSourceDigest, mirroredDigests, mirroredPlatforms, changedAt, count, next);
  }

  public TagState withChangedAt(Instant at) {
    return new TagState(tag, status, sourceDigest, destinationDigests, lastError, jobId, mirroredSourceDigest,
        mirroredDigests, mirroredPlatforms, Optional.of(at), attempts, nextAttemptAt);
  }

  /** The item stored for this tag of the row {@code key}. */
  Map<String, AttributeValue> toItem(String key) {
    Map<String, AttributeValue> item = new LinkedHashMap<>();
    item.put(SOURCE, AttributeValue.fromS(key));
    item.put(TAG, AttributeValue.fromS(tag));
    item.put(STATUS, AttributeValue.fromS(status.label()));
    sourceDigest.ifPresent(d -> item.put(SOURCE_DIGEST, AttributeValue.fromS(d)));
    item.put(DESTINATION_DIGESTS, map(destinationDigests));
    lastError.ifPresent(e -> item.put(LAST_ERROR, AttributeValue.fromS(e)));
    jobId.ifPresent(j -> item.put(JOB_ID, AttributeValue.fromS(j)));
    mirroredSourceDigest.ifPresent(d -> item.put(MIRRORED_SOURCE_DIGEST, AttributeValue.fromS(d)));
    if (!mirroredDigests.isEmpty()) {
      item.put(MIRRORED_DIGESTS, map(mirroredDigests));
    }
    mirroredPlatforms.ifPresent(p -> item.put(MIRRORED_PLATFORMS, AttributeValue.fromS(p)));
    changedAt.ifPresent(t -> item.put(CHANGED_AT, AttributeValue.fromS(t.toString())));
    if (attempts > 0) {
      item.put(ATTEMPTS, AttributeValue.fromN(Integer.toString(attempts)));
    }
    nextAttemptAt.ifPresent(t -> item.put(NEXT_ATTEMPT_AT, AttributeValue.fromS(t.toString())));
    return item;
  }

  /** Reads a stored item; attributes it cannot read are left empty (they are rewritten on the next change). */
  static TagState fromItem(Map<String, AttributeValue> item) {
    return new TagState(string(item, TAG).orElse(""),
        string(item, STATUS).flatMap(RowStatus::ofLabel).orElse(RowStatus.DRIFT),
        string(item, SOURCE_DIGEST), stringMap(item, DESTINATION_DIGESTS), string(item, LAST_ERROR), string(item, JOB_ID),
        string(item, MIRRORED_SOURCE_DIGEST), stringMap(item, MIRRORED_DIGESTS), string(item, MIRRORED_PLATFORMS),
        instant(item, CHANGED_AT), (int) ItemReaders.number(item, ATTEMPTS), instant(item, NEXT_ATTEMPT_AT));
  }

  private static AttributeValue map(Map<String, String> values) {
    Map<String, AttributeValue> m = new LinkedHashMap<>();
    values.forEach((k, v) -> m.put(k, AttributeValue.fromS(v)));
    return AttributeValue.fromM(m);
  }
}
