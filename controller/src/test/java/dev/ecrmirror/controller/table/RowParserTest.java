package dev.ecrmirror.controller.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class RowParserTest {
  static Map<String, AttributeValue> item(String source, AttributeValue destination, Object... extra) {
    Map<String, AttributeValue> item = new HashMap<>();
    item.put("Source", AttributeValue.fromS(source));
    if (destination != null) {
      item.put("Destination", destination);
    }
    for (int i = 0; i < extra.length; i += 2) {
      item.put((String) extra[i], (AttributeValue) extra[i + 1]);
    }
    return item;
  }

  static MirrorRow valid(Map<String, AttributeValue> item) {
    ParsedRow row = RowParser.parse(item);
    assertThat(row).isInstanceOf(MirrorRow.class);
    return (MirrorRow) row;
  }

  static String invalid(Map<String, AttributeValue> item) {
    ParsedRow row = RowParser.parse(item);
    assertThat(row).isInstanceOf(InvalidRow.class);
    return ((InvalidRow) row).reason();
  }

  @Test
  void destinationAsStringCommaStringSetAndList() {
    assertThat(valid(item("alpine:3", AttributeValue.fromS("r.example/a:3"))).destinations())
        .extracting(Destination::written).containsExactly("r.example/a:3");
    assertThat(valid(item("alpine:3", AttributeValue.fromS(" r.example/a:3 , r.example/b ,"))).destinations())
        .extracting(Destination::key).containsExactly("r.example/a:3", "r.example/b:3");
    assertThat(valid(item("alpine:3", AttributeValue.fromSs(List.of("r.example/a", "r.example/b,r.example/c")))).destinations())
        .hasSize(3);
    assertThat(valid(item("alpine:3", AttributeValue.fromL(List.of(AttributeValue.fromS("r.example/a"))))).destinations())
        .extracting(Destination::key).containsExactly("r.example/a:3");
  }

  @Test
  void aBareDestinationTakesTheSourceTag() {
    MirrorRow row = valid(item("quay.io/org/app:v2", AttributeValue.fromS("r.example/app")));
    assertThat(row.destinations().get(0).target().toString()).isEqualTo("r.example/app:v2");
    assertThat(row.destinations().get(0).written()).isEqualTo("r.example/app");
  }

  @Test
  void platformsAndEnabledForms() {
    MirrorRow row = valid(item("alpine", AttributeValue.fromS("r.example/a"),
        "Platforms", AttributeValue.fromS("linux/arm64, linux/amd64"), "Enabled", AttributeValue.fromS("FALSE")));
    assertThat(row.platformsKey()).isEqualTo("linux/amd64,linux/arm64");
    assertThat(row.enabled()).isFalse();
    assertThat(valid(item("alpine", AttributeValue.fromS("r.example/a"), "Platforms",
        AttributeValue.fromL(List.of(AttributeValue.fromS("linux/arm/v7"))), "Enabled", AttributeValue.fromBool(true)))
        .platforms()).hasSize(1);
    assertThat(valid(item("alpine", AttributeValue.fromS("r.example/a"))).enabled()).isTrue();
  }

  @Test
  void problemsNameTheAttribute() {
    assertThat(invalid(item("alpine", null))).isEqualTo("Destination is missing or empty");
    assertThat(invalid(item("alpine", AttributeValue.fromN("3")))).startsWith("Destination is a number");
    assertThat(invalid(item("alpine", AttributeValue.fromL(List.of(AttributeValue.fromN("3")))))).contains("list holding a number");
    assertThat(invalid(item("Alpine", AttributeValue.fromS("r.example/a")))).startsWith("Source:");
    assertThat(invalid(item("alpine", AttributeValue.fromS("r.example/A")))).startsWith("Destination:");
    assertThat(invalid(item("alpine", AttributeValue.fromS("docker.io/library/alpine")))).contains("is the source itself");
    assertThat(invalid(item("alpine", AttributeValue.fromS("r.example/a"), "Platforms", AttributeValue.fromS("linux"))))
        .startsWith("Platforms:");
    assertThat(invalid(item("alpine", AttributeValue.fromS("r.example/a"), "Enabled", AttributeValue.fromS("yes"))))
        .contains("Enabled");
    assertThat(invalid(Map.of("Source", AttributeValue.fromN("1")))).contains("Source must be");
  }

  @Test
  void referrersIsTrueUnlessTheRowSaysFalseAndAnythingElseMakesItInvalid() {
    assertThat(valid(item("alpine", AttributeValue.fromS("r.example/a"))).referrers()).isTrue();
    assertThat(valid(item("alpine", AttributeValue.fromS("r.example/a"), "Referrers", AttributeValue.fromBool(false)))
        .referrers()).isFalse();
    assertThat(valid(item("alpine", AttributeValue.fromS("r.example/a"), "Referrers", AttributeValue.fromS("False")))
        .referrers()).isFalse();
    assertThat(invalid(item("alpine", AttributeValue.fromS("r.example/a"), "Referrers", AttributeValue.fromS("signatures"))))
        .isEqualTo("Referrers is the string 'signatures'; expected true or false");
  }

  @Test
  void systemAttributesAreRead() {
    MirrorRow row = valid(item("alpine", AttributeValue.fromS("r.example/a"),
        "MirrorStatus", AttributeValue.fromS("submitted"), "JobId", AttributeValue.fromS("j-1"),
        "CheckedAt", AttributeValue.fromS("not a time"),
        "DestinationDigests", AttributeValue.fromM(Map.of("r.example/a:latest", AttributeValue.fromS("sha256:x")))));
    assertThat(row.state().is(RowStatus.SUBMITTED)).isTrue();
    assertThat(row.state().jobId()).hasValue("j-1");
    assertThat(row.state().checkedAt()).isEmpty();
    assertThat(row.state().destinationDigests()).containsEntry("r.example/a:latest", "sha256:x");
  }
}
