package dev.ecrmirror.controller.table;

import static dev.ecrmirror.controller.table.RowParserTest.invalid;
import static dev.ecrmirror.controller.table.RowParserTest.item;
import static dev.ecrmirror.controller.table.RowParserTest.valid;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Repository rows (rows with tag rules) and labelled keys, as the table stores them. */
class RepositoryRowParserTest {
  private static final AttributeValue DEST = AttributeValue.fromS("r.example/mirror/nginx");

  @Test
  void anyRuleMakesARepositoryRowWithItsRulesRead() {
    MirrorRow row = valid(item("nginx", DEST, "Tags", AttributeValue.fromS("1.*, {stable,mainline}"),
        "Constraint", AttributeValue.fromS(">= 1.25, < 2.0"), "MaxResults", AttributeValue.fromN("3"),
        "ReleaseOnly", AttributeValue.fromBool(true), "IncludePrereleases", AttributeValue.fromSs(List.of("alpine"))));
    assertThat(row.isRepository()).isTrue();
    var spec = row.rules().orElseThrow().spec();
    assertThat(spec.tags()).containsExactly("1.*", "{stable,mainline}");
    assertThat(spec.constraint()).contains(">= 1.25, < 2.0");
    assertThat(spec.maxResults()).hasValue(3);
    assertThat(spec.releaseOnly()).isTrue();
    assertThat(spec.includePrereleases()).containsExactly("alpine");
    assertThat(row.source().isBare()).isTrue();
    assertThat(row.destinations()).extracting(d -> d.target().isBare()).containsExactly(true);
  }

  @Test
  void aRowWithoutRulesIsASingleImageRowAsBefore() {
    MirrorRow row = valid(item("nginx:1.27", DEST));
    assertThat(row.isRepository()).isFalse();
    assertThat(row.destinations()).extracting(Destination::key).containsExactly("r.example/mirror/nginx:1.27");
  }

  @Test
  void aRuleOnATaggedSourceIsInvalidWithTheReason() {
    assertThat(invalid(item("nginx:1.27", DEST, "Tags", AttributeValue.fromS("1.*"))))
        .isEqualTo("Source 'nginx:1.27' names a tag, but the row has tag rules (Tags), which mirror a whole "
            + "repository: drop the tag from Source, or the rules");
  }

  @Test
  void aTaggedDestinationOfARepositoryRowIsInvalid() {
    assertThat(invalid(item("nginx", AttributeValue.fromS("r.example/mirror/nginx:1"), "Tags", AttributeValue.fromS("1.*"))))
        .startsWith("Destination 'r.example/mirror/nginx:1' names a tag or digest, but the row has tag rules");
  }

  @Test
  void badRuleValuesAreInvalidWithTheAttributeNamed() {
    assertThat(invalid(item("nginx", DEST, "MaxResults", AttributeValue.fromS("many"))))
        .isEqualTo("MaxResults is 'many'; expected a whole number of 1 or more");
    assertThat(invalid(item("nginx", DEST, "MaxResults", AttributeValue.fromN("0"))))
        .contains("MaxResults").contains("0");
    assertThat(invalid(item("nginx", DEST, "Tags", AttributeValue.fromS("1.*,,2.*"))))
        .isEqualTo("Tags '1.*,,2.*' has an empty element");
    assertThat(invalid(item("nginx", DEST, "ReleaseOnly", AttributeValue.fromS("yes"))))
        .isEqualTo("ReleaseOnly is the string 'yes'; expected true or false");
  }

  @Test
  void aLabelGivesOneSourceSeveralRows() {
    MirrorRow prod = valid(item("docker.io/library/nginx#prod", DEST, "Tags", AttributeValue.fromS("1.*")));
    assertThat(prod.key()).isEqualTo("docker.io/library/nginx#prod");
    assertThat(prod.source().name()).isEqualTo("docker.io/library/nginx");
    assertThat(prod.sourceParameter()).isEqualTo("docker.io/library/nginx");
    MirrorRow single = valid(item("alpine:3.20#eu", AttributeValue.fromS("r.example/alpine")));
    assertThat(single.sourceParameter()).isEqualTo("alpine:3.20");
    assertThat(single.destinations()).extracting(Destination::key).containsExactly("r.example/alpine:3.20");
  }

  @Test
  void anEmptyLabelOrReferenceIsInvalid() {
    assertThat(invalid(item("nginx#", DEST))).isEqualTo("Source 'nginx#' has an empty label around '#': write SOURCE or SOURCE#LABEL");
    assertThat(invalid(item("#prod", DEST))).isEqualTo("Source '#prod' has an empty reference around '#': write SOURCE or SOURCE#LABEL");
  }
}
