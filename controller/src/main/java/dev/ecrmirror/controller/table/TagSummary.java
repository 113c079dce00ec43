package dev.ecrmirror.controller.table;

import static dev.ecrmirror.controller.table.Attributes.*;

import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A repository row's bounded summary of its tags, written on the row: counts, and at most
 * {@value #MAX_FAILED} failed tags with their reasons cut to {@value #MAX_REASON} characters, so the
 * row stays far below DynamoDB's 400 KB item limit however many tags the repository has.
 *
 * @param selected tags the rules selected
 * @param inSync tags every destination holds ({@code in sync} or {@code mirrored})
 * @param drifted tags some destination lacks ({@code drift} or {@code submitted})
 * @param failed tags whose check or copy failed ({@code retrying}, {@code failed}, {@code conflict},
 *     {@code deferred} or {@code invalid})
 * @param failedTags some failed tags and why, in tag order
 * @param omitted failed tags {@code failedTags} leaves out
 */
public record TagSummary(int selected, int inSync, int drifted, int failed, Map<String, String> failedTags, int omitted) {
  /** At most this many failed tags are named on the row. */
  public static final int MAX_FAILED = 20;
  /** A failed tag's reason on the row is cut to this many characters. */
  public static final int MAX_REASON = 200;

  public TagSummary {
    failedTags = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(failedTags));
  }

  /** Summarizes the tags' states. */
  public static TagSummary of(Collection<TagState> tags) {
    int inSync = 0;
    int drifted = 0;
    for (TagState t : tags) {
      switch (t.status()) {
        case IN_SYNC, MIRRORED -> inSync++;
        case DRIFT, SUBMITTED -> drifted++;
        default -> { }
      }
    }
    List<TagState> failures = tags.stream().filter(t -> failing(t.status()))
        .sorted(Comparator.comparing(TagState::tag)).toList();
    Map<String, String> named = new LinkedHashMap<>();
    for (TagState t : failures.subList(0, Math.min(MAX_FAILED, failures.size()))) {
      named.put(t.tag(), cut(t.lastError().orElse("failed")));
    }
    return new TagSummary(tags.size(), inSync, drifted, failures.size(), named, failures.size() - named.size());
  }

  /** The worst status among the tags, the row's status when no job is out: in sync for none. */
  public static RowStatus worst(Collection<TagState> tags) {
    RowStatus worst = RowStatus.IN_SYNC;
    for (TagState t : tags) {
      worst = worst.worst(t.status());
    }
    return worst;
  }

  private static boolean failing(RowStatus s) {
    return switch (s) {
      case RETRYING, FAILED, CONFLICT, DEFERRED, INVALID -> true;
      default -> false;
    };
  }

  static String cut(String reason) {
    return reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON - 1) + "…";
  }

  /** Adds the summary's attributes to a row update (removing the failure list when there is none). */
  public StatusUpdate applyTo(StatusUpdate update) {
    update.set(TAGS_SELECTED, selected).set(TAGS_IN_SYNC, inSync).set(TAGS_DRIFTED, drifted).set(TAGS_FAILED, failed);
    if (failedTags.isEmpty()) {
      update.remove(FAILED_TAGS);
    } else {
      update.set(FAILED_TAGS, failedTags);
    }
    return omitted > 0 ? update.set(FAILED_TAGS_OMITTED, omitted) : update.remove(FAILED_TAGS_OMITTED);
  }

  /** The summary a row carries, if it has one. */
  public static Optional<TagSummary> read(Map<String, AttributeValue> item) {
    if (!item.containsKey(TAGS_SELECTED)) {
      return Optional.empty();
    }
    Map<String, String> failedTags = new LinkedHashMap<>();
    AttributeValue named = item.get(FAILED_TAGS);
    if (named != null && named.hasM()) {
      named.m().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(e -> failedTags.put(e.getKey(), e.getValue().s() == null ? "" : e.getValue().s()));
    }
    return Optional.of(new TagSummary(number(item, TAGS_SELECTED), number(item, TAGS_IN_SYNC), number(item, TAGS_DRIFTED),
        number(item, TAGS_FAILED), failedTags, number(item, FAILED_TAGS_OMITTED)));
  }

  private static int number(Map<String, AttributeValue> item, String name) {
    return (int) ItemReaders.number(item, name);
  }

  /** {@code 12 tags: 10 in sync, 1 drifted, 1 failed}. */
  @Override
  public String toString() {
    return selected + (selected == 1 ? " tag: " : " tags: ") + inSync + " in sync, " + drifted + " drifted, " + failed + " failed";
  }
}
