package dev.ecrmirror.common.tags;

import static dev.ecrmirror.common.tags.RuleSpecs.rules;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Selection against tag lists taken from real repositories, and every example the seeds give
 * (lambda-ecr-image-sync, tf-ecr-sync, ecr-mirror-sync), named in each test.
 */
class TagRulesTest {
  private static final String HEX = "3f1c2b9a0d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a";
  private static final List<String> REFERENCE_TAGS =
      List.of("sha256-" + HEX, "sha256-" + HEX + ".sig", "sha256-" + HEX + ".att", "sha256-" + HEX + ".sbom");

  /** docker.io/library/nginx, plus a cosign signature. */
  private static final List<String> NGINX = List.of(
      "1.27.3", "1.27", "1", "mainline", "latest", "1.27.3-alpine", "1.27-alpine", "1-alpine", "alpine",
      "mainline-alpine", "1.27.3-alpine-slim", "1.27.3-bookworm", "1.27.3-perl", "1.26.2", "1.26", "stable",
      "1.26.2-alpine", "stable-alpine", "1.25.5", "1.25.4", "1.25.3", "1.24.0", "1.23.4", "1.22.1", "1.21.6",
      "sha256-" + HEX + ".sig");

  /** docker.io/library/postgres. */
  private static final List<String> POSTGRES = List.of(
      "17.2", "17", "17.2-bookworm", "17-alpine", "17.2-alpine3.21", "16.6", "16", "16.6-alpine", "15.10", "14.15",
      "13.18", "12.22", "9.6.24", "latest", "alpine", "bookworm", "18beta1", "18beta1-bookworm");

  /** docker.io/library/alpine, with its dated edge snapshots. */
  private static final List<String> ALPINE = List.of(
      "3.21.0", "3.21", "3", "latest", "edge", "20240923", "20240807", "3.20.3", "3.20", "3.19.4", "3.18.9");

  /** docker.io/library/python, with its dashless alphas and release candidates. */
  private static final List<String> PYTHON = List.of(
      "3.13.1", "3.13", "3", "latest", "3.13.1-slim-bookworm", "3.13-slim", "slim", "3.14.0a3", "3.14.0a3-slim",
      "3.14-rc", "3.13.0rc3", "3.12.8", "3.11.11", "3.9.21");

  /** docker.io/library/node: numbered tags, major-only tags and codenames. */
  private static final List<String> NODE = List.of(
      "23.4.0", "23", "current", "22.12.0", "22.12", "22", "lts", "jod", "22-alpine", "22.12.0-alpine3.21",
      "22.12.0-bookworm-slim", "20.18.1", "20", "iron", "18.20.5", "latest");

  /** A project tagging semver with v, release candidates, alphas, nightlies and dates. */
  private static final List<String> SEMVER = List.of(
      "v1.9.0", "v2.0.0-alpha", "v2.0.0-alpha.1", "v2.0.0-beta.2", "v2.0.0-rc.1", "v2.0.0-rc.2", "v2.0.0", "v2.0.1",
      "v2.1.0-rc.1", "2.1.0", "latest", "nightly-2026-11-01", "nightly-2026-10-31", "20261101", "main");

  @Nested
  class RealRepositories {
    @Test
    void nginxTheWorkerExampleNewestThreeFrom125() {
      // mirror-worker --constraint '>= 1.25' --max-results 3 nginx ...; "1.27" counts as 1.27.0.
      assertThat(rules().constraint(">= 1.25").maxResults(3).select(NGINX)).containsExactly("1.27.3", "1.27", "1.26.2");
    }

    @Test
    void nginxAlpineVariantsComeInOnlyWhenNamed() {
      assertThat(rules().constraint(">= 1.26").includePrereleases("alpine").excludeTags("*-slim").select(NGINX))
          .containsExactly("1.27.3", "1.27.3-alpine", "1.27", "1.27-alpine", "1.26.2", "1.26.2-alpine", "1.26");
      // without IncludePrereleases every -alpine, -bookworm, -perl variant is a pre-release the constraint drops
      assertThat(rules().constraint(">= 1.26").select(NGINX)).containsExactly("1.27.3", "1.27", "1.26.2", "1.26");
    }

    @Test
    void nginxStableAndMainlineByName() {
      assertThat(rules().tags("stable", "mainline", "stable-alpine").select(NGINX))
          .containsExactly("mainline", "stable", "stable-alpine");
    }

    @Test
    void postgresNewestFourMajorsComparedAsNumbers() {
      // 15.10 is newer than 9.6.24; 18beta1 and 17 are not versions (no dot)
      assertThat(rules().constraint(">= 9.6").maxResults(4).select(POSTGRES))
          .containsExactly("17.2", "16.6", "15.10", "14.15");
    }

    @Test
    void postgresOneMajorWithoutAlpine() {
      assertThat(rules().tags("17*").excludeTags("*alpine*").select(POSTGRES))
          .containsExactly("17.2", "17.2-bookworm", "17");
    }

    @Test
    void alpineDatesAreNotVersions() {
      assertThat(rules().constraint(">= 3.19").select(ALPINE))
          .containsExactly("3.21.0", "3.21", "3.20.3", "3.20", "3.19.4");
      assertThat(rules().tags("2024*").select(ALPINE)).containsExactly("20240807", "20240923");
      // MaxResults keeps versions only: dates go
      assertThat(rules().tags("2024*").maxResults(1).select(ALPINE)).isEmpty();
    }

    @Test
    void pythonAlphasAndReleaseCandidatesArePreReleases() {
      assertThat(rules().tags("3.1?.*").releaseOnly().select(PYTHON)).containsExactly("3.13.1", "3.12.8", "3.11.11");
      assertThat(rules().tags("3.1?.*").excludePrereleases("a", "rc").select(PYTHON))
          .containsExactly("3.13.1", "3.13.1-slim-bookworm", "3.12.8", "3.11.11");
    }

    @Test
    void nodeNewestTwoPlusTheCodenamesAskedForByName() {
      // lts and current are named literally in Tags: the constraint and MaxResults keep them
      assertThat(rules().tags("lts", "current", "*").constraint(">= 20").maxResults(2).select(NODE))
          .containsExactly("23.4.0", "22.12.0", "current", "lts");
      // the major-only tags (22, 20) are not versions, so a constraint never selects them
      assertThat(rules().constraint("~> 22.0").select(NODE)).containsExactly("22.12.0", "22.12");
    }

    @Test
    void semverWithAndWithoutVAndItsPreReleases() {
      assertThat(rules().constraint(">= 2.0").select(SEMVER)).containsExactly("2.1.0", "v2.0.1", "v2.0.0");
      assertThat(rules().tags("v2.0.0*").select(SEMVER)).containsExactly(
          "v2.0.0", "v2.0.0-rc.2", "v2.0.0-rc.1", "v2.0.0-beta.2", "v2.0.0-alpha.1", "v2.0.0-alpha");
      assertThat(rules().tags("v2.0.0*").excludePrereleases("alpha", "beta").select(SEMVER))
          .containsExactly("v2.0.0", "v2.0.0-rc.2", "v2.0.0-rc.1");
      assertThat(rules().constraint(">= 2.0.0-rc.1").maxResults(3).select(SEMVER))
          .containsExactly("2.1.0", "v2.0.1", "v2.0.0");
      assertThat(rules().tags("v2.*").releaseOnly().maxResults(1).select(SEMVER)).containsExactly("v2.0.1");
    }

    @Test
    void nightliesAndDatesBySameTagRulesNeverByVersion() {
      assertThat(rules().tags("nightly-*").select(SEMVER)).containsExactly("nightly-2026-10-31", "nightly-2026-11-01");
      assertThat(rules().tags("nightly-*").constraint(">= 0").select(SEMVER)).isEmpty();
      assertThat(rules().excludeTags("nightly-*", "2026*", "main", "latest").releaseOnly().select(SEMVER))
          .containsExactly("2.1.0", "v2.0.1", "v2.0.0", "v1.9.0");
    }

    @Test
    void fourPartVersions() {
      List<String> tags = List.of("1.2.3", "1.2.3.4", "1.2.3.10", "1.2.4.0", "1.2.4", "10.0.20348.2966");
      assertThat(rules().constraint(">= 1.2.3.5, < 2").select(tags)).containsExactly("1.2.4.0", "1.2.4", "1.2.3.10");
      assertThat(rules().maxResults(2).select(tags)).containsExactly("10.0.20348.2966", "1.2.4.0");
    }

    @Test
    void bitnamiDebianBuildsAreCheckedByTheirVersion() {
      List<String> tags = List.of("latest", "0.3.0-debian-10-r32", "0.5.0-debian-10-r59", "0.9.0-debian-10-r32",
          "1.5.0-debian-12", "1.5.0-debian-12-r0", "1.5.0");
      assertThat(rules().constraint(">= 1.3.0").includePrereleases("debian").select(tags))
          .containsExactly("1.5.0", "1.5.0-debian-12-r0", "1.5.0-debian-12");
      assertThat(rules().constraint(">= 1.3.0").includePrereleases("debian-12").releaseOnly().select(tags))
          .containsExactly("1.5.0");
    }
  }

  @Nested
  class LambdaEcrImageSyncSeed {
    /** Tags shaped like the ones hashicorp/tfc-agent, isovalent's cee builds and bitnami publish. */
    private final List<String> agent = List.of("1.9.0", "2.0.0", "2.0.1", "2.1.0", "2.1.0-rc.1", "2.1.0-beta.2",
        "2.1.0-debian", "2.1.0-linux-amd64", "2.1.0-debian-rc.1", "2.2.0-cee.1", "3.0.0", "3.0.0-debian", "latest");

    @Test
    void readmeImagesExampleTfcAgent() {
      // "constraint": "~>2.0", "exclude_rls": ["beta","rc"], "include_rls": ["linux","debian","cee"], "max_results": 10
      assertThat(rules().constraint("~>2.0").excludePrereleases("beta", "rc")
              .includePrereleases("linux", "debian", "cee").maxResults(10).select(agent))
          .containsExactly("2.2.0-cee.1", "2.1.0", "2.1.0-linux-amd64", "2.1.0-debian", "2.0.1", "2.0.0");
    }

    @Test
    void readmeImagesExampleDatadogIncludeTags() {
      // "image_name": "docker.io/datadog/agent", "include_tags": ["latest","6.27.0-rc.6"]
      List<String> datadog = List.of("7.60.0", "7.60.0-jmx", "latest", "latest-jmx", "6.27.0-rc.6", "6.27.0-rc.5", "6.27.0");
      assertThat(rules().tags("latest", "6.27.0-rc.6").select(datadog)).containsExactly("6.27.0-rc.6", "latest");
    }

    @Test
    void readmeVersionExamples() {
      List<String> gatekeeper = List.of("v2.9.9", "v3.0.0", "v3.0.0-beta.1", "v3.5.2", "v3.17.1", "v4.0.0", "v5.0.0", "latest");
      assertThat(rules().constraint("~> v3.0").select(gatekeeper)).containsExactly("v3.17.1", "v3.5.2", "v3.0.0");
      assertThat(rules().constraint(">= v3.0, < v5.0").select(gatekeeper))
          .containsExactly("v4.0.0", "v3.17.1", "v3.5.2", "v3.0.0");
      assertThat(rules().constraint("= v3.0").select(gatekeeper)).containsExactly("v3.0.0");
      // the README spells the range '=> v3.0, < v5.0', which go-version refuses as well
      assertThatThrownBy(() -> TagRules.of(rules().constraint("=> v3.0, < v5.0").spec()))
          .hasMessage("Constraint '=> v3.0, < v5.0': unknown operator '=>' (did you mean '>='?); "
              + "use one of = != > < >= <= ~> -eq -ne -gt -lt -ge -le");
    }

    @Test
    void readmeIncludeAndExcludeBetaForV12Beta10() {
      // "Prerelease info is everything after the -. Example for v1.2-beta-10 it is beta and 10"
      List<String> tags = List.of("v1.1", "v1.2-beta-10", "v1.2-alpha-1", "v1.2");
      assertThat(rules().constraint(">= v1.0").includePrereleases("beta").select(tags))
          .containsExactly("v1.2", "v1.2-beta-10", "v1.1");
      assertThat(rules().excludePrereleases("beta").select(tags)).containsExactly("v1.2", "v1.2-alpha-1", "v1.1");
    }

    @Test
    void readmeDebianBuildsButNoCandidates() {
      // "to include debian builds but exclude release candidates, alpha or beta: v1.2.3-debian-1-rc"
      List<String> tags = List.of("v1.2.3", "v1.2.3-debian-1", "v1.2.3-debian-1-rc", "v1.2.3-debian-1-beta", "v1.2.3-rc.1");
      assertThat(rules().constraint(">= 1.0").includePrereleases("debian").excludePrereleases("rc", "beta", "alpha")
              .select(tags))
          .containsExactly("v1.2.3", "v1.2.3-debian-1");
    }

    @Test
    void readmeEcrRepositoryTags() {
      // ecr_sync_constraint = "-ge v1.1.1", ecr_sync_include_rls = "ubuntu,rc" ("v.1.2-ubuntu v1.2-RC-1"),
      // ecr_sync_exclude_rls = "RC,UBUNTU", ecr_sync_release_only, ecr_sync_max_results = "10",
      // ecr_sync_exclude_tags = "1.1.1,2.2.2", ecr_sync_include_tags = "1.1.1,2.2.2"
      List<String> tags = List.of("v1.1.0", "1.1.1", "v1.2", "v1.2-ubuntu", "v1.2-RC-1", "v1.2-beta", "2.2.2", "latest");
      assertThat(rules().constraint("-ge v1.1.1").includePrereleases("ubuntu", "rc").select(tags))
          .containsExactly("2.2.2", "v1.2", "v1.2-ubuntu", "v1.2-RC-1", "1.1.1");
      assertThat(rules().constraint("-ge v1.1.1").includePrereleases("ubuntu", "rc").excludePrereleases("RC", "UBUNTU")
              .select(tags))
          .containsExactly("2.2.2", "v1.2", "1.1.1");
      assertThat(rules().releaseOnly().select(tags)).containsExactly("2.2.2", "v1.2", "1.1.1", "v1.1.0", "latest");
      assertThat(rules().maxResults(10).select(tags))
          .containsExactly("2.2.2", "v1.2", "v1.2-ubuntu", "v1.2-beta", "v1.2-RC-1", "1.1.1", "v1.1.0");
      assertThat(rules().excludeTags("1.1.1", "2.2.2").constraint("-ge v1.1.1").select(tags)).containsExactly("v1.2");
      assertThat(rules().tags("1.1.1", "2.2.2").select(tags)).containsExactly("2.2.2", "1.1.1");
    }

    @Test
    void terraformExampleCiliumCurrentPlusConstraint() {
      // "dev/isovalent/cilium" = { constraint = "-ge v1.10.3", include_rls = "cee", include_tags = "current" }.
      // In the seed include_tags adds to what the constraint selects; here Tags narrows, so the same
      // intent is Tags "current,*": '*' lets the constraint see every tag and the literal keeps current.
      List<String> cilium = List.of("v1.10.2", "v1.10.3", "v1.10.3-cee.1", "v1.11.0-rc.1", "v1.11.0", "v1.11.0-cee.2",
          "current", "latest");
      assertThat(rules().tags("current", "*").constraint("-ge v1.10.3").includePrereleases("cee").select(cilium))
          .containsExactly("v1.11.0", "v1.11.0-cee.2", "v1.10.3", "v1.10.3-cee.1", "current");
      assertThat(rules().tags("current").constraint("-ge v1.10.3").includePrereleases("cee").select(cilium))
          .containsExactly("current");
    }

    @Test
    void terraformExampleGatekeeperAndOtel() {
      // "-ge v3.9.0" for openpolicyagent/gatekeeper, "-ge 0.66.0" for otel/opentelemetry-collector-contrib
      List<String> gatekeeper = List.of("v3.8.1", "v3.9.0", "v3.9.0-rc.1", "v3.18.0", "latest", "dev");
      assertThat(rules().constraint("-ge v3.9.0").select(gatekeeper)).containsExactly("v3.18.0", "v3.9.0");
      List<String> otel = List.of("0.65.0", "0.66.0", "0.116.1", "latest");
      assertThat(rules().constraint("-ge 0.66.0").select(otel)).containsExactly("0.116.1", "0.66.0");
    }

    @Test
    void seedTestsWhoseResultsThisPipelineKeeps() {
      // TestMatchInclRLSWithConstraint
      List<String> own = List.of("latest", "v0.0.3", "v0.0.4-debian-r20", "v0.0.5-beta", "v0.0.6-win", "v0.0.7",
          "v0.0.8-debian", "v0.0.9", "v0.1.0", "v0.1.1");
      assertThat(rules().includePrereleases("debian", "win").constraint("< v0.0.8").select(own))
          .containsExactly("v0.0.7", "v0.0.6-win", "v0.0.4-debian-r20", "v0.0.3");
      // TestMinMaxConstraint
      List<String> releases = List.of("latest", "v0.0.3", "v0.0.4", "v0.0.5", "v0.0.6", "v0.0.7", "v0.0.8", "v0.0.9",
          "v0.1.0", "v0.1.1");
      assertThat(rules().constraint(">= v0.0.8, <= v0.0.9").maxResults(2).select(releases))
          .containsExactly("v0.0.9", "v0.0.8");
      // TestPreReleaseDataFilterWithExclude (bitnami/metrics-server)
      List<String> metrics = List.of("latest", "0.3.0-debian-10-r32", "0.5.0-debian-10-r59", "0.9.0-debian-10-r32",
          "0.9.0-debian-10-beta", "1.5.0-debian-12", "1.5.0-debian-12-rc");
      assertThat(rules().includePrereleases("debian", "test").excludePrereleases("beta", "rc").constraint(">= v0.6.0")
              .select(metrics))
          .containsExactly("1.5.0-debian-12", "0.9.0-debian-10-r32");
      // TestExcludeFormedVersions (datadog/agent); 7.32.1-rc.3-server_core is no version ('_')
      List<String> datadog = List.of("7.32.1-rc.3-jmx", "7.32.1-rc.3-server_core", "7.32.1-servercore-jmx",
          "7.32.1-servercore", "latest", "latest-jmx", "latest-py2", "7.3.x-exemplars");
      assertThat(rules().constraint(">= 7.30.0").includePrereleases("jmx").excludePrereleases("rc").select(datadog))
          .containsExactly("7.32.1-servercore-jmx");
      // TestexcludeTags (quay.io/cilium/cilium): MaxResults here keeps versions only, so latest goes
      List<String> cilium = List.of("latest", "v1.4.1", "v1.4.5", "v1.4.6", "v1.4.7", "v1.4.8", "v1.4.9");
      assertThat(rules().excludeTags("v1.4.8", "v1.4.5").maxResults(6).select(cilium))
          .containsExactly("v1.4.9", "v1.4.7", "v1.4.6", "v1.4.1");
    }
  }

  @Nested
  class TfEcrSyncSeed {
    private final List<String> tags = List.of("1.25.3", "1.25.3-alpine", "1.26.0", "1.26.0-alpine", "1.2", "1.3",
        "1.x", "latest", "stable");

    @Test
    void globExamples() {
      assertThat(rules().tags("*").select(tags)).containsExactly("1.26.0", "1.26.0-alpine", "1.25.3", "1.25.3-alpine",
          "1.3", "1.2", "1.x", "latest", "stable");
      assertThat(rules().tags("**").select(tags)).isEqualTo(rules().tags("*").select(tags));
      assertThat(rules().tags("1.?").select(tags)).containsExactly("1.3", "1.2", "1.x");
      assertThat(rules().tags("1.{25,26}.*").excludeTags("*-alpine").select(tags)).containsExactly("1.26.0", "1.25.3");
      assertThat(rules().tags("{latest,stable}").select(tags)).containsExactly("latest", "stable");
    }

    @Test
    void starNeverSweepsInSignaturesOrReferrers() {
      List<String> withReferences = new ArrayList<>(tags);
      withReferences.addAll(REFERENCE_TAGS);
      for (String pattern : List.of("*", "**", "sha256-*", "regex:.*")) {
        assertThat(rules().tags(pattern).select(withReferences)).as(pattern).doesNotContainAnyElementsOf(REFERENCE_TAGS);
      }
      assertThat(TagRules.of(RuleSpec.none()).select(REFERENCE_TAGS)).isEmpty();
      // a sha256-like tag that is not a digest's is an ordinary tag
      assertThat(TagRules.of(RuleSpec.none()).select(List.of("sha256-abc", "sha256-" + HEX + ".tar")))
          .containsExactly("sha256-" + HEX + ".tar", "sha256-abc");
    }
  }

  @Nested
  class EcrMirrorSyncSeed {
    private final List<String> keda = List.of("2.16.0", "2.5.0", "2.4.1", "2.4.0", "latest", "main");

    @Test
    void upstreamTagsListIsLiteralTags() {
      // upstream-image = "ghcr.io/kedacore/keda", upstream-tags = "2.4.0/2.5.0"
      assertThat(rules().tags("2.4.0/2.5.0".split("/")).select(keda)).containsExactly("2.5.0", "2.4.0");
    }

    @Test
    void aNamedTagTheSourceLacksIsSimplyNotSelected() {
      assertThat(rules().tags("2.4.0", "2.3.9").select(keda)).containsExactly("2.4.0");
    }

    @Test
    void upstreamTagsWithGlobs() {
      // its sync replaces '+' by '*' (a resource tag value cannot hold '*'): "2.4+/latest" is 2.4*, latest
      assertThat(rules().tags("2.4+/latest".replace('+', '*').split("/")).select(keda))
          .containsExactly("2.4.1", "2.4.0", "latest");
    }
  }

  @Nested
  class Pipeline {
    @Test
    void noRulesSelectEveryTagButReferencesVersionsNewestFirstThenLexical() {
      List<String> tags = new ArrayList<>(List.of("latest", "1.2.0", "edge", "v1.10.0", "1.2.0-rc.1", "20261101", "1.9"));
      tags.addAll(REFERENCE_TAGS);
      assertThat(TagRules.of(RuleSpec.none()).select(tags))
          .containsExactly("v1.10.0", "1.9", "1.2.0", "1.2.0-rc.1", "20261101", "edge", "latest");
    }

    @Test
    void theOrderDoesNotDependOnTheListingAndDuplicatesCountOnce() {
      List<String> tags = new ArrayList<>(NGINX);
      tags.addAll(NGINX.subList(0, 5));
      TagRules rules = TagRules.of(rules().constraint(">= 1.22").includePrereleases("alpine").spec());
      List<String> expected = rules.select(NGINX);
      for (int seed = 0; seed < 5; seed++) {
        Collections.shuffle(tags, new Random(seed));
        assertThat(rules.select(tags)).isEqualTo(expected);
      }
      assertThat(expected).doesNotHaveDuplicates().startsWith("1.27.3", "1.27.3-alpine-slim", "1.27.3-alpine");
    }

    @Test
    void excludeTagsWinsOverANamedTag() {
      assertThat(rules().tags("latest", "1.*").excludeTags("latest", "*-alpine*").constraint(">= 1.27").select(NGINX))
          .containsExactly("1.27.3", "1.27");
    }

    @Test
    void aNamedTagIsKeptByEveryLaterStep() {
      assertThat(rules().tags("1.24.0", "1.27.3-perl", "latest", "1.2*").constraint(">= 1.25").releaseOnly()
              .excludePrereleases("perl").maxResults(1).select(NGINX))
          .containsExactly("1.27.3", "1.27.3-perl", "1.24.0", "latest");
    }

    @Test
    void maxResultsCountsWhatTheEarlierStepsLeft() {
      assertThat(rules().constraint("< 1.25").maxResults(2).select(NGINX)).containsExactly("1.24.0", "1.23.4");
    }

    @Test
    void tenThousandTags() {
      // a repository with 10,000 tags: 50 minors x 100 patches, each also as a -debian-12 build
      List<String> tags = new ArrayList<>();
      for (int minor = 0; minor < 50; minor++) {
        for (int patch = 0; patch < 100; patch++) {
          tags.add("3." + minor + "." + patch);
          tags.add("3." + minor + "." + patch + "-debian-12");
        }
      }
      assertThat(tags).hasSize(10_000);
      assertThat(rules().constraint("~> 3.48").includePrereleases("debian").maxResults(3).select(tags))
          .containsExactly("3.49.99", "3.49.99-debian-12", "3.49.98");
      assertThat(rules().tags("3.1.*").excludeTags("*-debian-12").select(tags)).hasSize(100).startsWith("3.1.99", "3.1.98");
    }

    @Test
    void includePrereleasesWithoutConstraintChangesNothing() {
      assertThat(rules().includePrereleases("alpine").select(NGINX)).isEqualTo(TagRules.of(RuleSpec.none()).select(NGINX));
    }

    @Test
    void theWorkedExampleInTheDocs() {
      // docs/tag-rules.md walks through exactly this
      List<String> listing = List.of("1.27.3", "1.27.3-alpine", "1.27.3-perl", "1.27.2", "1.27.2-alpine", "1.27",
          "1.26.2", "1.26.2-alpine", "1.25.5", "1.25.5-alpine", "1.24.0", "mainline", "stable", "latest", "alpine",
          "sha256-" + HEX + ".sig");
      TagRules rules = TagRules.of(rules().tags("1.*", "latest").excludeTags("*-perl").constraint(">= 1.25")
          .includePrereleases("alpine").maxResults(4).spec());
      assertThat(rules.trace(listing)).containsExactly(
          entry("listing", List.of("1.27.3", "1.27.3-perl", "1.27.3-alpine", "1.27.2", "1.27.2-alpine", "1.27",
              "1.26.2", "1.26.2-alpine", "1.25.5", "1.25.5-alpine", "1.24.0", "alpine", "latest", "mainline", "stable")),
          entry("Tags", List.of("1.27.3", "1.27.3-perl", "1.27.3-alpine", "1.27.2", "1.27.2-alpine", "1.27",
              "1.26.2", "1.26.2-alpine", "1.25.5", "1.25.5-alpine", "1.24.0", "latest")),
          entry("ExcludeTags", List.of("1.27.3", "1.27.3-alpine", "1.27.2", "1.27.2-alpine", "1.27",
              "1.26.2", "1.26.2-alpine", "1.25.5", "1.25.5-alpine", "1.24.0", "latest")),
          entry("Constraint", List.of("1.27.3", "1.27.3-alpine", "1.27.2", "1.27.2-alpine", "1.27",
              "1.26.2", "1.26.2-alpine", "1.25.5", "1.25.5-alpine", "latest")),
          entry("MaxResults", List.of("1.27.3", "1.27.3-alpine", "1.27.2", "1.27.2-alpine", "latest")));
      assertThat(rules.select(listing)).containsExactly("1.27.3", "1.27.3-alpine", "1.27.2", "1.27.2-alpine", "latest");
    }
  }

  @Nested
  class BadInput {
    private void assertRejected(RuleSpecs rules, String message) {
      assertThatThrownBy(() -> TagRules.of(rules.spec()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(message);
    }

    @Test
    void eachRuleNamesItselfAndTheProblem() {
      assertRejected(rules().constraint(">= x.y"), "Constraint '>= x.y': 'x.y' is not a version (expected numbers "
          + "separated by dots, optionally with a leading v and a -prerelease, e.g. 1.25, v3.0 or 2.0.0-rc.1)");
      assertRejected(rules().constraint(""), "Constraint '': empty; write a check such as '>= 1.25' or '~> 2.0'");
      assertRejected(rules().tags("latest", "regex:("), "Tags 'regex:(': bad regex: Unclosed group near index 1");
      assertRejected(rules().excludeTags("1.{24,25"), "ExcludeTags '1.{24,25': '{' is never closed with '}'");
      assertRejected(rules().tags("nginx:1.25"), "Tags 'nginx:1.25': not a tag: a tag is 1 to 128 letters, digits, "
          + "'_', '.' or '-', not starting with '.' or '-' (a pattern needs *, ?, {a,b} or [abc], or regex:)");
      assertRejected(rules().tags("sha256-" + HEX + ".sig"), "Tags 'sha256-" + HEX + ".sig': a referrers or "
          + "signature tag is never selected by rules; it travels with the image it refers to");
      assertRejected(rules().includePrereleases("debian", ""), "IncludePrereleases '': empty keyword");
      assertRejected(rules().excludePrereleases("rc*"), "ExcludePrereleases 'rc*': a keyword is letters, digits, "
          + "'-' and '.' (it matches the start of a part of the pre-release, ignoring case)");
      assertRejected(rules().maxResults(0), "MaxResults must be 1 or more, not 0");
      assertRejected(rules().maxResults(-3), "MaxResults must be 1 or more, not -3");
    }
  }
}
