package dev.ecrmirror.common.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecrmirror.common.ref.ImageReference;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON form of repository settings: what it accepts, the one line it gives for what it does not, and layering. */
class RepositorySettingsTest {
  private static final String FULL = "{\"mode\":\"create\",\"scanOnPush\":true,\"tagMutability\":\"immutable_with_exclusion\","
      + "\"tagMutabilityExclusions\":[\"dev*\",\"latest\"],\"encryption\":\"KMS\","
      + "\"kmsKey\":\"arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab\","
      + "\"lifecyclePolicy\":{\"rules\":[{\"rulePriority\":1,\"selection\":{\"tagStatus\":\"untagged\","
      + "\"countType\":\"sinceImagePushed\",\"countUnit\":\"days\",\"countNumber\":14},\"action\":{\"type\":\"expire\"}}]},"
      + "\"tags\":{\"team\":\"platform\"}}";

  @Test
  void readsEverySettingAndWritesItBackCompact() {
    RepositorySettings s = RepositorySettings.parse("--repository-settings", FULL);

    assertThat(s.mode()).isEqualTo("create");
    assertThat(s.scanOnPush()).isTrue();
    assertThat(s.tagMutability()).isEqualTo("IMMUTABLE_WITH_EXCLUSION");
    assertThat(s.tagMutabilityExclusions()).containsExactly("dev*", "latest");
    assertThat(s.encryption()).isEqualTo("KMS");
    assertThat(s.tags()).containsExactly(Map.entry("team", "platform"));
    assertThat(s.lifecyclePolicy()).startsWith("{\"rules\":[{\"rulePriority\":1");
    assertThat(RepositorySettings.parse("again", s.toJson())).isEqualTo(s);
  }

  @Test
  void blankNoneAndEmptyObjectAreNoSettings() {
    assertThat(RepositorySettings.parse("x", null).isEmpty()).isTrue();
    assertThat(RepositorySettings.parse("x", " none ").isEmpty()).isTrue();
    assertThat(RepositorySettings.parse("x", "{}").isEmpty()).isTrue();
    assertThat(RepositorySettings.none().toJson()).isEqualTo("{}");
    assertThat(RepositorySettings.none().creates()).isTrue();
  }

  @Test
  void aLifecyclePolicyMayBeTheTextOfOne() {
    RepositorySettings s = RepositorySettings.parse("x", "{\"lifecyclePolicy\":\"{\\\"rules\\\": []}\"}");
    assertThat(s.lifecyclePolicy()).isEqualTo("{\"rules\":[]}");
  }

  @Test
  void badInputIsOneLineNamingTheOriginAndTheField() {
    assertThatThrownBy(() -> RepositorySettings.parse("RepositorySettings", "{mode: create}"))
        .hasMessageStartingWith("RepositorySettings is not JSON:").hasMessageNotContaining("\n");
    assertThatThrownBy(() -> RepositorySettings.parse("r", "{\"mode\":\"update\"}"))
        .hasMessage("r: unknown mode 'update': use one of create, refresh");
    assertThatThrownBy(() -> RepositorySettings.parse("r", "{\"scanOnPsh\":true}"))
        .hasMessageStartingWith("r: unknown setting 'scanOnPsh': use ");
    assertThatThrownBy(() -> RepositorySettings.parse("r", "{\"encryption\":\"DES\"}"))
        .hasMessage("r: unknown encryption 'DES': use one of AES256, KMS, KMS_DSSE");
    assertThatThrownBy(() -> RepositorySettings.parse("r", "{\"tagMutability\":\"IMMUTABLE_WITH_EXCLUSION\"}"))
        .hasMessageContaining("needs tagMutabilityExclusions");
    assertThatThrownBy(() -> RepositorySettings.parse("r", "{\"tagMutability\":\"IMMUTABLE\",\"tagMutabilityExclusions\":[\"dev*\"]}"))
        .hasMessageContaining("need tagMutability IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION");
    assertThatThrownBy(() -> RepositorySettings.parse("r", "{\"encryption\":\"KMS\",\"kmsKey\":\"my-key\"}"))
        .hasMessageContaining("is not a KMS key ARN");
    assertThatThrownBy(() -> RepositorySettings.parse("r", "{\"kmsKey\":\"arn:aws:kms:eu-west-1:123456789012:key/k\"}"))
        .hasMessageContaining("kmsKey needs encryption KMS");
    assertThatThrownBy(() -> RepositorySettings.parse("r", "{\"lifecyclePolicy\":\"expire after 14 days\"}"))
        .hasMessageStartingWith("r: lifecyclePolicy is not JSON:");
    assertThatThrownBy(() -> RepositorySettings.parse("r", "{\"lifecyclePolicy\":{\"days\":14}}"))
        .hasMessageContaining("a JSON object with a \"rules\" array");
    assertThatThrownBy(() -> RepositorySettings.parse("r", "{\"tags\":[\"team\"]}"))
        .hasMessageContaining("tags must be an object");
  }

  @Test
  void aKmsKeyInAnotherRegionThanTheRepositoryIsRefused() {
    RepositorySettings s = RepositorySettings.parse("r", FULL);

    s.checkFor(ImageReference.parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/app"));
    s.checkFor(ImageReference.parse("registry.example/mirror/app"));
    assertThatThrownBy(() -> s.checkFor(ImageReference.parse("123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror/app")))
        .hasMessage("repository settings: kmsKey arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab "
            + "is in eu-west-1, but 123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror/app is in us-east-1: ECR needs a "
            + "key in the repository's region");
  }

  @Test
  void aRowsSettingsLieOverTheDefaultsFieldByField() {
    RepositorySettings defaults = RepositorySettings.parse("env",
        "{\"scanOnPush\":true,\"tagMutability\":\"IMMUTABLE_WITH_EXCLUSION\",\"tagMutabilityExclusions\":[\"dev*\"],"
            + "\"tags\":{\"owner\":\"mirror\"}}");
    RepositorySettings row = RepositorySettings.parse("row", "{\"mode\":\"refresh\",\"tagMutability\":\"MUTABLE\"}");

    RepositorySettings merged = row.over(defaults);

    assertThat(merged.mode()).isEqualTo("refresh");
    assertThat(merged.creates()).isFalse();
    assertThat(merged.scanOnPush()).isTrue();
    // The row's mutability comes without the defaults' exclusions, which belong to theirs.
    assertThat(merged.tagMutability()).isEqualTo("MUTABLE");
    assertThat(merged.tagMutabilityExclusions()).isEmpty();
    assertThat(merged.tags()).containsExactly(Map.entry("owner", "mirror"));
    assertThat(RepositorySettings.none().over(defaults)).isEqualTo(defaults);
    assertThat(defaults.tagMutabilityExclusions()).isEqualTo(List.of("dev*"));
  }
}
