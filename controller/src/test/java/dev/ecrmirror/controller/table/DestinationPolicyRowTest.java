package dev.ecrmirror.controller.table;

import static dev.ecrmirror.controller.table.RowParserTest.invalid;
import static dev.ecrmirror.controller.table.RowParserTest.item;
import static dev.ecrmirror.controller.table.RowParserTest.valid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.ExistingTags;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The destination-policy attributes of a row: {@code ExistingTags} and prefix destinations. */
class DestinationPolicyRowTest {
  private static final String ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

  @Test
  void existingTagsDefaultsToOverwriteAndTakesThePolicyWords() {
    assertThat(valid(item("alpine:3", AttributeValue.fromS("r.example/a"))).existingTags())
        .isEqualTo(ExistingTags.OVERWRITE);
    assertThat(valid(item("alpine:3", AttributeValue.fromS("r.example/a"), "ExistingTags", AttributeValue.fromS("keep")))
        .existingTags()).isEqualTo(ExistingTags.KEEP);
    assertThat(valid(item("alpine:3", AttributeValue.fromS("r.example/a"), "ExistingTags", AttributeValue.fromS("Backup")))
        .existingTags()).isEqualTo(ExistingTags.BACKUP);
  }

  @Test
  void aBadExistingTagsMakesTheRowInvalidSayingWhatToWrite() {
    assertThat(invalid(item("alpine:3", AttributeValue.fromS("r.example/a"), "ExistingTags", AttributeValue.fromS("never"))))
        .startsWith("ExistingTags 'never' is not a policy").contains("overwrite", "keep", "backup");
    assertThat(invalid(item("alpine:3", AttributeValue.fromS("r.example/a"), "ExistingTags", AttributeValue.fromBool(true))))
        .isEqualTo("ExistingTags is a boolean; expected the string overwrite, keep or backup");
  }

  @Test
  void aPrefixDestinationIsResolvedToTheRepositoryTheJobIsGiven() {
    MirrorRow row = valid(item("docker.io/library/nginx:1.27", AttributeValue.fromS(ECR + "/mirror/,r.example/nginx")));
    assertThat(row.destinations()).extracting(Destination::written)
        .containsExactly(ECR + "/mirror/docker.io/library/nginx", "r.example/nginx");
    assertThat(row.destinations()).extracting(Destination::key)
        .containsExactly(ECR + "/mirror/docker.io/library/nginx:1.27", "r.example/nginx:1.27");

    MirrorRow dropped = valid(item("nginx", AttributeValue.fromS(ECR + "/mirror/"), "Tags", AttributeValue.fromS("1.*"),
        "PrefixKeepsRegistry", AttributeValue.fromBool(false)));
    assertThat(dropped.destinations()).extracting(Destination::key).containsExactly(ECR + "/mirror/library/nginx");
  }

  @Test
  void aBadPrefixOrPrefixKeepsRegistryMakesTheRowInvalid() {
    assertThat(invalid(item("nginx:1", AttributeValue.fromS(ECR + "/Mirror/"))))
        .startsWith("Destination: invalid image reference '" + ECR + "/Mirror/': prefix gives");
    assertThat(invalid(item("nginx:1", AttributeValue.fromS(ECR + "/m/"), "PrefixKeepsRegistry",
        AttributeValue.fromS("sometimes")))).contains("PrefixKeepsRegistry", "true or false");
  }
}
