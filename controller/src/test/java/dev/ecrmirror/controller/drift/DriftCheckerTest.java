package dev.ecrmirror.controller.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.controller.table.MirrorRow;
import dev.ecrmirror.controller.table.RowParser;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class DriftCheckerTest {
  static final Digest A = Digest.parse("sha256:" + "a".repeat(64));
  static final Digest B = Digest.parse("sha256:" + "b".repeat(64));
  static final Digest C = Digest.parse("sha256:" + "c".repeat(64));

  static MirrorRow row(Map<String, AttributeValue> extra) {
    Map<String, AttributeValue> item = new HashMap<>(extra);
    item.put("Source", AttributeValue.fromS("src.example/app:1"));
    item.put("Destination", AttributeValue.fromS("d.example/one,d.example/two"));
    return (MirrorRow) RowParser.parse(item);
  }

  static Map<ImageReference, Lookup> lookups(Lookup source, Lookup one, Lookup two) {
    return Map.of(ImageReference.parse("src.example/app:1"), source,
        ImageReference.parse("d.example/one:1"), one, ImageReference.parse("d.example/two:1"), two);
  }

  @Test
  void missingAndDifferentDestinationsDrift() {
    RowCheck check = DriftChecker.judge(row(Map.of()),
        lookups(new Lookup.Found(A), new Lookup.Found(A), new Lookup.Missing()), false);
    assertThat(check.drifted()).extracting(d -> d.key()).containsExactly("d.example/two:1");
    assertThat(check.why()).containsEntry("d.example/two:1", "missing");
    RowCheck differs = DriftChecker.judge(row(Map.of()),
        lookups(new Lookup.Found(A), new Lookup.Found(B), new Lookup.Found(A)), false);
    assertThat(differs.drifted()).hasSize(1);
    assertThat(differs.why().get("d.example/one:1")).contains("bbbbbbbbbbbb", "aaaaaaaaaaaa");
    assertThat(DriftChecker.judge(row(Map.of()), lookups(new Lookup.Found(A), new Lookup.Found(A), new Lookup.Found(A)), false)
        .inSync()).isTrue();
  }

  @Test
  void anUnreachableSourceFailsTheRowAndAnUnreachableDestinationOnlyItself() {
    RowCheck source = DriftChecker.judge(row(Map.of()),
        lookups(new Lookup.Failed("cannot reach registry src.example"), new Lookup.Missing(), new Lookup.Missing()), false);
    assertThat(source.error()).hasValue("source: cannot reach registry src.example");
    assertThat(source.drifted()).isEmpty();
    RowCheck dest = DriftChecker.judge(row(Map.of()),
        lookups(new Lookup.Found(A), new Lookup.Failed("denied"), new Lookup.Missing()), false);
    assertThat(dest.failed()).as("the source was checked").isFalse();
    assertThat(dest.destinationErrors()).containsOnlyKeys("d.example/one:1");
    assertThat(dest.destinationErrors().get("d.example/one:1").message()).contains("d.example/one:1", "denied");
    assertThat(dest.drifted()).as("the healthy destination is still judged, and it lacks the image")
        .extracting(d -> d.key()).containsExactly("d.example/two:1");
  }

  @Test
  void aPlatformsRowComparesWithWhatTheLastJobWrote() {
    Map<String, AttributeValue> mirrored = Map.of(
        "Platforms", AttributeValue.fromS("linux/amd64"),
        "MirroredSourceDigest", AttributeValue.fromS(A.toString()),
        "MirroredPlatforms", AttributeValue.fromS("linux/amd64"),
        "MirroredDigests", AttributeValue.fromM(Map.of("d.example/one:1", AttributeValue.fromS(B.toString()),
            "d.example/two:1", AttributeValue.fromS(B.toString()))));
    assertThat(DriftChecker.judge(row(mirrored), lookups(new Lookup.Found(A), new Lookup.Found(B), new Lookup.Found(B)), false)
        .inSync()).isTrue();
    RowCheck overwritten = DriftChecker.judge(row(mirrored),
        lookups(new Lookup.Found(A), new Lookup.Found(C), new Lookup.Found(B)), false);
    assertThat(overwritten.drifted()).extracting(d -> d.key()).containsExactly("d.example/one:1");
    RowCheck moved = DriftChecker.judge(row(mirrored), lookups(new Lookup.Found(C), new Lookup.Found(B), new Lookup.Found(B)), false);
    assertThat(moved.drifted()).hasSize(2);
    assertThat(moved.why().values()).allMatch(w -> w.startsWith("source moved"));
    RowCheck never = DriftChecker.judge(row(Map.of("Platforms", AttributeValue.fromS("linux/amd64"))),
        lookups(new Lookup.Found(A), new Lookup.Found(B), new Lookup.Found(B)), false);
    assertThat(never.drifted()).hasSize(2);
  }
}
