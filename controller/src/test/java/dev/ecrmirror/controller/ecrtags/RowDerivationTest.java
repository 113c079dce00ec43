package dev.ecrmirror.controller.ecrtags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecrmirror.controller.ecrtags.EcrRepositoryTags.TaggedRepository;
import dev.ecrmirror.controller.table.DerivedRow;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** From ECR repository tags to mirror-table rows, with the tag values the two seed tools document. */
class RowDerivationTest {
  private static final String URI = "123456789012.dkr.ecr.us-east-1.amazonaws.com/dev/isovalent/cilium";
  private static final String ARN = "arn:aws:ecr:us-east-1:123456789012:repository/dev/isovalent/cilium";

  private static RowDerivation.Derivation derive(Map<String, String> tags) {
    return RowDerivation.derive(new TaggedRepository(ARN, URI, tags), EcrTagKeys.defaults());
  }

  private static AttributeValue s(String value) {
    return AttributeValue.fromS(value);
  }

  @Test
  void lambdaEcrImageSyncTagsBecomeARepositoryRowKeyedByUpstreamAndRepository() {
    // lambda-ecr-image-sync's README example for a repository configured by tags.
    RowDerivation.Derivation d = derive(Map.of("ecr_sync_source", "quay.io/isovalent/cilium",
        "ecr_sync_constraint", "-ge v1.10.3", "ecr_sync_include_rls", "cee", "ecr_sync_include_tags", "current",
        "ecr_sync_exclude_tags", "1.1.1, 2.2.2", "ecr_sync_exclude_rls", "RC,UBUNTU", "ecr_sync_release_only", "true",
        "ecr_sync_max_results", "10", "team", "platform"));

    assertThat(d.problems()).isEmpty();
    assertThat(d.row()).contains(new DerivedRow("quay.io/isovalent/cilium#ecr:" + URI, URI, Map.of(
        "Constraint", s("-ge v1.10.3"), "IncludePrereleases", s("cee"), "Tags", s("current,*"),
        "ExcludeTags", s("1.1.1,2.2.2"), "ExcludePrereleases", s("RC,UBUNTU"),
        "ReleaseOnly", AttributeValue.fromBool(true), "MaxResults", AttributeValue.fromN("10")), ARN));
  }

  @Test
  void includeTagsWithoutAConstraintAreJustThoseTags() {
    // In lambda-ecr-image-sync, include_tags alone selects exactly those tags; next to a constraint
    // they are added to what it selects (hence "*" above).
    assertThat(derive(Map.of("ecr_sync_source", "docker.io/datadog/agent", "ecr_sync_include_tags", "latest,6.27.0-rc.6"))
        .row().orElseThrow().rules()).isEqualTo(Map.of("Tags", s("latest,6.27.0-rc.6")));
  }

  @Test
  void dockerHubShortNamesAreNormalizedInTheKey() {
    RowDerivation.Derivation d = derive(Map.of("ecr_sync_source", "nginx", "ecr_sync_constraint", "~> 1.25"));

    assertThat(d.row().orElseThrow().key()).isEqualTo("docker.io/library/nginx#ecr:" + URI);
    assertThat(d.row().orElseThrow().destination()).isEqualTo(URI);
  }

  @Test
  void ecrMirrorSyncTagsBecomeATagsRuleWithPlusAsStar() {
    // ecr-mirror-sync: upstream-tags is a '/'-separated list ("2.4.0/2.5.0"); the onfido variant writes
    // '+' for '*', which tag values cannot hold ("1.16+/1.17+").
    assertThat(derive(Map.of("upstream-image", "ghcr.io/kedacore/keda", "upstream-tags", "2.4.0/2.5.0")).row())
        .contains(new DerivedRow("ghcr.io/kedacore/keda#ecr:" + URI, URI, Map.of("Tags", s("2.4.0,2.5.0")), ARN));
    assertThat(derive(Map.of("upstream-image", "nginx", "upstream-tags", "1.16+/1.17+")).row().orElseThrow().rules())
        .isEqualTo(Map.of("Tags", s("1.16*,1.17*")));
  }

  @Test
  void repositoriesWithoutASourceOrOptedOutGiveNoRow() {
    assertThat(derive(Map.of("team", "platform")).row()).isEmpty();
    assertThat(derive(Map.of("ecr_sync_source", "nginx", "ecr_sync_opt", "out")).row()).isEmpty();
    assertThat(derive(Map.of("ecr_sync_source", "nginx", "ecr_sync_opt", "in")).row()).isPresent();
  }

  @Test
  void badValuesAreWrittenAsGivenAndReported() {
    RowDerivation.Derivation d = derive(Map.of("ecr_sync_source", "Not A Reference!", "ecr_sync_max_results", "ten",
        "ecr_sync_release_only", "yes"));

    DerivedRow row = d.row().orElseThrow();
    assertThat(row.key()).isEqualTo("Not A Reference!#ecr:" + URI);
    assertThat(row.rules()).containsEntry("MaxResults", s("ten")).containsEntry("ReleaseOnly", s("yes"));
    assertThat(d.problems()).containsExactly(
        "ECR repository " + ARN + ": ecr_sync_source: invalid image reference 'Not A Reference!': "
            + "repository component 'Not A Reference!' must be lowercase",
        "ECR repository " + ARN + ": ecr_sync_release_only 'yes' is not true or false",
        "ECR repository " + ARN + ": ecr_sync_max_results 'ten' is not a positive integer");
  }

  @Test
  void listsSplitAsTheTableDoesAndAnEmptyElementIsWrittenAsGiven() {
    RowDerivation.Derivation d = derive(Map.of("ecr_sync_source", "nginx", "ecr_sync_include_tags", "1.{26,27}.*, latest",
        "ecr_sync_exclude_rls", "rc,,beta"));

    assertThat(d.row().orElseThrow().rules()).containsEntry("Tags", s("1.{26,27}.*,latest"))
        .containsEntry("ExcludePrereleases", s("rc,,beta"));
    assertThat(d.problems()).containsExactly("ECR repository " + ARN + ": ecr_sync_exclude_rls 'rc,,beta' has an empty element");
  }

  @Test
  void zeroMaxResultsAndATaggedSourceAreReported() {
    RowDerivation.Derivation d = derive(Map.of("ecr_sync_source", "nginx:1.25", "ecr_sync_max_results", "0"));

    assertThat(d.row().orElseThrow().key()).isEqualTo("docker.io/library/nginx:1.25#ecr:" + URI);
    assertThat(d.problems()).containsExactly(
        "ECR repository " + ARN + ": ecr_sync_max_results '0' is not a positive integer",
        "ECR repository " + ARN + ": ecr_sync_source 'nginx:1.25' names a tag or digest, "
            + "but tag rules mirror a whole repository");
  }

  @Test
  void keysCanBeRenamed() {
    EcrTagKeys keys = EcrTagKeys.defaults().with("source=mirror_source").with("upstream-tags = mirror-tags");

    RowDerivation.Derivation d = RowDerivation.derive(new TaggedRepository(ARN, URI,
        Map.of("mirror_source", "nginx", "ecr_sync_source", "alpine", "ecr_sync_constraint", ">= 1.0")), keys);

    assertThat(d.row().orElseThrow().key()).startsWith("docker.io/library/nginx#ecr:");
    assertThat(keys.upstreamTags()).isEqualTo("mirror-tags");
    assertThatThrownBy(() -> keys.with("sauce=x")).hasMessageStartingWith("'sauce=x': unknown tag key field 'sauce'");
    assertThatThrownBy(() -> keys.with("source=")).hasMessage("'source=': expected FIELD=KEY with a non-empty KEY");
  }
}
