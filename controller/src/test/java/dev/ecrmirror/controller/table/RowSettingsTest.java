package dev.ecrmirror.controller.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A row's {@code RepositorySettings}: a JSON string or a map of the same fields; a bad one makes the row invalid, with one line. */
class RowSettingsTest {
  private static final String ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/alpine";

  private static ParsedRow row(AttributeValue settings) {
    Map<String, AttributeValue> item = new HashMap<>();
    item.put("Source", AttributeValue.fromS("docker.io/library/alpine:3.20"));
    item.put("Destination", AttributeValue.fromS(ECR));
    item.put("RepositorySettings", settings);
    return RowParser.parse(item);
  }

  @Test
  void aJsonStringAndAMapOfTheSameFieldsAreTheSameSettings() {
    MirrorRow fromString = (MirrorRow) row(AttributeValue.fromS(
        "{\"mode\":\"create\",\"scanOnPush\":true,\"tagMutability\":\"IMMUTABLE_WITH_EXCLUSION\","
            + "\"tagMutabilityExclusions\":[\"dev*\"],\"tags\":{\"team\":\"platform\"}}"));
    MirrorRow fromMap = (MirrorRow) row(AttributeValue.fromM(Map.of(
        "mode", AttributeValue.fromS("create"),
        "scanOnPush", AttributeValue.fromBool(true),
        "tagMutability", AttributeValue.fromS("IMMUTABLE_WITH_EXCLUSION"),
        "tagMutabilityExclusions", AttributeValue.fromL(List.of(AttributeValue.fromS("dev*"))),
        "tags", AttributeValue.fromM(Map.of("team", AttributeValue.fromS("platform"))))));

    assertThat(fromString.repositorySettings()).isEqualTo(fromMap.repositorySettings());
    assertThat(fromString.repositorySettings().scanOnPush()).isTrue();
  }

  @Test
  void badSettingsMakeTheRowInvalidWithOneLine() {
    assertThat(((InvalidRow) row(AttributeValue.fromS("{\"mode\":\"sometimes\"}"))).reason())
        .isEqualTo("RepositorySettings: unknown mode 'sometimes': use one of create, refresh");
    assertThat(((InvalidRow) row(AttributeValue.fromS("{\"lifecyclePolicy\":\"keep 10\"}"))).reason())
        .startsWith("RepositorySettings: lifecyclePolicy is not JSON:");
    assertThat(((InvalidRow) row(AttributeValue.fromS("{\"encryption\":\"KMS\","
        + "\"kmsKey\":\"arn:aws:kms:us-east-1:123456789012:key/abc\"}"))).reason())
        .contains("is in us-east-1, but " + ECR + " is in eu-west-1");
    assertThat(((InvalidRow) row(AttributeValue.fromN("1"))).reason())
        .startsWith("RepositorySettings must be a string holding a JSON object, or a map");
  }
}
