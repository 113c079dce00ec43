package dev.ecrmirror.common.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecrmirror.common.Failures;
import dev.ecrmirror.common.FailureKind;
import dev.ecrmirror.common.Json;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.testing.MotoServer;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.ImageTagMutabilityExclusionFilter;
import software.amazon.awssdk.services.ecr.model.Repository;
import software.amazon.awssdk.services.ecr.model.Tag;

/**
 * Repositories created with settings, against moto's ECR API: what moto stored (DescribeRepositories,
 * GetLifecyclePolicy, ListTagsForResource) is what the settings asked for; {@code refresh} never
 * creates; an existing repository is left as it is and a dry run's differences name what it lacks.
 * moto has no repository-creation-template calls: the template lookup fails there and is taken as
 * "no templates" (the template cases run against a stub in {@code EcrCreationTemplatesTest}).
 */
class EcrRepositorySettingsIT {
  private static final String ACCOUNT = "123456789012";
  private static final String KMS = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  private static final String POLICY = "{\"rules\":[{\"rulePriority\":1,\"description\":\"untagged\",\"selection\":"
      + "{\"tagStatus\":\"untagged\",\"countType\":\"sinceImagePushed\",\"countUnit\":\"days\",\"countNumber\":14},"
      + "\"action\":{\"type\":\"expire\"}}]}";
  private static MotoServer moto;

  @BeforeAll
  static void start() throws Exception {
    moto = MotoServer.start();
  }

  @AfterAll
  static void stop() {
    if (moto != null) {
      moto.close();
    }
  }

  @BeforeEach
  void forget() throws Exception {
    moto.reset();
  }

  private static EcrClient client(Region region) {
    return moto.ecr(region);
  }

  private static EcrRepositories with(String json) {
    return new EcrRepositories(EcrClientSource.anyAccount(EcrRepositorySettingsIT::client), RepositorySettings.parse("test", json));
  }

  private static ImageReference ref(String repository) {
    return ImageReference.parse(ACCOUNT + ".dkr.ecr.us-west-2.amazonaws.com/" + repository + ":1");
  }

  private static Repository stored(String repository) {
    try (EcrClient ecr = client(Region.US_WEST_2)) {
      return ecr.describeRepositories(b -> b.repositoryNames(repository)).repositories().get(0);
    }
  }

  @Test
  void createsWithScanningImmutabilityExclusionsKmsTagsAndALifecyclePolicy() throws Exception {
    EcrRepositories repositories = with("{\"scanOnPush\":true,\"tagMutability\":\"IMMUTABLE_WITH_EXCLUSION\","
        + "\"tagMutabilityExclusions\":[\"dev*\",\"latest\"],\"encryption\":\"KMS\",\"kmsKey\":\"" + KMS + "\","
        + "\"lifecyclePolicy\":" + POLICY + ",\"tags\":{\"team\":\"platform\",\"mirror\":\"true\"}}");

    assertThat(repositories.ensure(ref("mirror/full"))).isEqualTo(EcrRepositories.Outcome.CREATED);

    Repository r = stored("mirror/full");
    assertThat(r.imageScanningConfiguration().scanOnPush()).isTrue();
    assertThat(r.imageTagMutabilityAsString()).isEqualTo("IMMUTABLE_WITH_EXCLUSION");
    assertThat(r.imageTagMutabilityExclusionFilters()).extracting(ImageTagMutabilityExclusionFilter::filter)
        .containsExactly("dev*", "latest");
    assertThat(r.encryptionConfiguration().encryptionTypeAsString()).isEqualTo("KMS");
    assertThat(r.encryptionConfiguration().kmsKey()).isEqualTo(KMS);
    try (EcrClient ecr = client(Region.US_WEST_2)) {
      String policy = ecr.getLifecyclePolicy(b -> b.repositoryName("mirror/full")).lifecyclePolicyText();
      assertThat(Json.readTree(policy)).isEqualTo(Json.readTree(POLICY));
      Map<String, String> tags = ecr.listTagsForResource(b -> b.resourceArn(r.repositoryArn())).tags().stream()
          .collect(Collectors.toMap(Tag::key, Tag::value));
      assertThat(tags).containsExactlyInAnyOrderEntriesOf(Map.of("team", "platform", "mirror", "true"));
    }
    // Nothing to compare against: the repository is what the settings said.
    assertThat(repositories.differences(ref("mirror/full"))).isEmpty();
  }

  @Test
  void aes256AndPlainImmutability() {
    with("{\"tagMutability\":\"IMMUTABLE\",\"encryption\":\"AES256\",\"scanOnPush\":false}").ensure(ref("mirror/plain"));

    Repository r = stored("mirror/plain");
    assertThat(r.imageTagMutabilityAsString()).isEqualTo("IMMUTABLE");
    assertThat(r.imageScanningConfiguration().scanOnPush()).isFalse();
    assertThat(r.encryptionConfiguration().encryptionTypeAsString()).isEqualTo("AES256");
  }

  @Test
  void refreshNeverCreatesAndAMissingRepositoryIsAPermanentFailure() {
    EcrRepositories repositories = with("{\"mode\":\"refresh\",\"scanOnPush\":true}");

    assertThatThrownBy(() -> repositories.ensure(ref("mirror/absent")))
        .hasMessageContaining("ECR repository mirror/absent in account 123456789012 (us-west-2) does not exist, and "
            + "repository mode refresh never creates one: create it, or use mode create")
        .satisfies(e -> assertThat(Failures.kind(e)).isEqualTo(FailureKind.PERMANENT));
    try (EcrClient ecr = client(Region.US_WEST_2)) {
      assertThat(ecr.describeRepositories(b -> {}).repositories()).isEmpty();
      ecr.createRepository(b -> b.repositoryName("mirror/there"));
    }
    assertThat(repositories.ensure(ref("mirror/there"))).isEqualTo(EcrRepositories.Outcome.EXISTS);
    assertThat(repositories.differences(ref("mirror/absent")))
        .containsExactly("missing, and mode refresh never creates it: the copy would fail");
  }

  @Test
  void anExistingRepositoryIsNeverChangedAndTheDryRunSaysWhereItDiffers() {
    try (EcrClient ecr = client(Region.US_WEST_2)) {
      ecr.createRepository(b -> b.repositoryName("mirror/old").tags(Tag.builder().key("team").value("apps").build()));
    }
    EcrRepositories repositories = with("{\"scanOnPush\":true,\"tagMutability\":\"IMMUTABLE\","
        + "\"lifecyclePolicy\":" + POLICY + ",\"tags\":{\"team\":\"platform\"}}");

    assertThat(repositories.ensure(ref("mirror/old"))).isEqualTo(EcrRepositories.Outcome.EXISTS);

    Repository r = stored("mirror/old");
    assertThat(r.imageTagMutabilityAsString()).isEqualTo("MUTABLE");
    assertThat(r.imageScanningConfiguration().scanOnPush()).isFalse();
    List<String> differences = repositories.differences(ref("mirror/old"));
    assertThat(differences).containsExactly(
        "scanOnPush: wants true, has false",
        "tagMutability: wants IMMUTABLE, has MUTABLE",
        "lifecyclePolicy: wants " + POLICY + ", has none",
        "tag team: wants platform, has apps");
    assertThat(repositories.differences(ref("mirror/new"))).singleElement().asString()
        .startsWith("missing: would be created with {\"scanOnPush\":true");
  }
}
