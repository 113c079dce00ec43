package dev.ecrmirror.controller.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class TagSummaryTest {
  static TagState tag(String tag, RowStatus status, String error) {
    return new TagState(tag, status, Optional.of("sha256:" + "a".repeat(64)), Map.of(), Optional.ofNullable(error),
        Optional.empty(), Optional.empty(), Map.of(), Optional.empty(), Optional.empty());
  }

  @Test
  void tenThousandTagsWithManyFailuresStayABoundedSummary() {
    List<TagState> tags = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      RowStatus status = i % 20 == 0 ? RowStatus.FAILED : i % 7 == 0 ? RowStatus.SUBMITTED : i % 3 == 0
          ? RowStatus.MIRRORED : RowStatus.IN_SYNC;
      tags.add(tag(String.format("1.%05d.0-with-a-long-suffix-%s", i, "x".repeat(60)), status,
          status == RowStatus.FAILED ? "registry said: " + "no ".repeat(400) : null));
    }
    TagSummary summary = TagSummary.of(tags);

    assertThat(summary.selected()).isEqualTo(10_000);
    assertThat(summary.failed()).isEqualTo(500);
    assertThat(summary.inSync() + summary.drifted() + summary.failed()).isEqualTo(10_000);
    assertThat(summary.failedTags()).hasSize(TagSummary.MAX_FAILED);
    assertThat(summary.failedTags().values()).allSatisfy(r -> assertThat(r).hasSizeLessThanOrEqualTo(200).startsWith("registry said"));
    assertThat(summary.failedTags().keySet()).first().asString().startsWith("1.00000.0");
    assertThat(summary.omitted()).isEqualTo(480);
    assertThat(TagSummary.worst(tags)).isEqualTo(RowStatus.FAILED);

    Map<String, AttributeValue> written = summary.applyTo(new StatusUpdate()).sets();
    int bytes = written.entrySet().stream().mapToInt(e -> e.getKey().length() + size(e.getValue())).sum();
    assertThat(bytes).as("the row's summary attributes").isLessThan(10_000);
    assertThat(written.get("FailedTagsOmitted").n()).isEqualTo("480");
    assertThat(summary.toString()).isEqualTo("10000 tags: " + summary.inSync() + " in sync, " + summary.drifted()
        + " drifted, 500 failed");
  }

  @Test
  void aSummaryReadsBackFromTheRowAndAnEmptyFailureListIsRemoved() {
    TagSummary summary = TagSummary.of(List.of(tag("1", RowStatus.IN_SYNC, null), tag("2", RowStatus.DRIFT, null),
        tag("3", RowStatus.MIRRORED, null)));
    StatusUpdate update = summary.applyTo(new StatusUpdate());
    assertThat(update.removes()).contains("FailedTags", "FailedTagsOmitted");
    assertThat(TagSummary.read(update.sets())).contains(summary);
    assertThat(summary.toString()).isEqualTo("3 tags: 2 in sync, 1 drifted, 0 failed");
    assertThat(TagSummary.worst(List.of(tag("1", RowStatus.IN_SYNC, null), tag("3", RowStatus.MIRRORED, null))))
        .isEqualTo(RowStatus.MIRRORED);
    assertThat(TagSummary.worst(List.of())).isEqualTo(RowStatus.IN_SYNC);
  }

  private static int size(AttributeValue v) {
    if (v.s() != null) {
      return v.s().length();
    }
    if (v.n() != null) {
      return v.n().length();
    }
    return v.m().entrySet().stream().mapToInt(e -> e.getKey().length() + size(e.getValue())).sum();
  }
}
