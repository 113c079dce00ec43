package dev.ecrmirror.controller.drift;

import dev.ecrmirror.common.FailureKind;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.controller.table.Destination;
import dev.ecrmirror.controller.table.MirrorRow;
import dev.ecrmirror.controller.table.TagState;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of checking a repository row: each selected tag judged on its own.
 *
 * @param row the row
 * @param error why the row could not be checked at all (its listing failed); no tag is judged then
 * @param listed how many tags the source repository lists
 * @param tags the selected tags, in selection order
 * @param previous the tag states stored before this check, by tag (selected or not)
 * @param kind what {@code error} means for the next attempt (transient when there is none)
 */
public record RepositoryCheck(MirrorRow row, Optional<String> error, int listed, List<TagCheck> tags,
    Map<String, TagState> previous, FailureKind kind) implements Check {

  /** A check whose error, if any, is transient. */
  public RepositoryCheck(MirrorRow row, Optional<String> error, int listed, List<TagCheck> tags,
      Map<String, TagState> previous) {
    this(row, error, listed, tags, previous, FailureKind.TRANSIENT);
  }

  public RepositoryCheck {
    tags = List.copyOf(tags);
    previous = Collections.unmodifiableMap(new LinkedHashMap<>(previous));
  }

  public boolean failed() {
    return error.isPresent();
  }

  /**
   * The tags some destination lacks. A tag whose source could not be checked has none; one with a
   * destination that could not be checked still lists the healthy destinations that lack it.
   */
  public List<TagCheck> drifted() {
    return tags.stream().filter(t -> !t.drifted().isEmpty()).toList();
  }

  /**
   * One selected tag.
   *
   * @param tag the tag
   * @param sourceDigest the source's digest for it, when resolved
   * @param destinationDigests each destination's digest for the tag, by {@link Destination#key()}, where present
   * @param drifted the destinations that lack it or hold another digest, in row order
   * @param why for each drifted destination key, why
   * @param error why the tag could not be checked
   * @param kind what {@code error} means for the next attempt (transient when there is none)
   */
  public record TagCheck(String tag, Optional<Digest> sourceDigest, Map<String, String> destinationDigests,
      List<Destination> drifted, Map<String, String> why, Optional<String> error, FailureKind kind) {
    /** A tag check whose error, if any, is transient. */
    public TagCheck(String tag, Optional<Digest> sourceDigest, Map<String, String> destinationDigests,
        List<Destination> drifted, Map<String, String> why, Optional<String> error) {
      this(tag, sourceDigest, destinationDigests, drifted, why, error, FailureKind.TRANSIENT);
    }

    public TagCheck {
      destinationDigests = Map.copyOf(destinationDigests);
      drifted = List.copyOf(drifted);
      why = Collections.unmodifiableMap(new LinkedHashMap<>(why));
    }
  }
}
