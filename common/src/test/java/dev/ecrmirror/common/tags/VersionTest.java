package dev.ecrmirror.common.tags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which tags are versions, how they order, and which pre-release keywords they carry. */
class VersionTest {

  @ParameterizedTest(name = "{0} is a version with pre-release ''{1}''")
  @CsvSource(delimiter = '|', nullValues = "NONE", value = {
      // semver with and without v (release-please, kubernetes, go modules)
      "1.2.3            | ''",
      "v1.2.3           | ''",
      "v2.0.0-rc.1      | rc.1",
      "2.0.0-alpha      | alpha",
      // nginx, postgres, node, alpine: two-part versions and variant suffixes
      "1.27             | ''",
      "1.27.3-alpine    | alpine",
      "1.27.3-alpine-slim | alpine-slim",
      "17.2-alpine3.21  | alpine3.21",
      "22.12.0-bookworm-slim | bookworm-slim",
      // bitnami
      "1.5.0-debian-12-r0 | debian-12-r0",
      // four-part (windows servercore, some java distributions)
      "10.0.20348.2966  | ''",
      "1.2.3.4          | ''",
      // python's dashless pre-releases, as go-version reads them
      "3.14.0a3         | a3",
      "3.13.0rc1        | rc1",
      // build metadata is not a pre-release
      "1.2.3+build.5    | ''",
      "v1               | ''",
  })
  void readsVersionTags(String tag, String prerelease) {
    Version v = Version.ofTag(tag).orElseThrow();
    assertThat(v.prerelease()).isEqualTo(prerelease);
    assertThat(v.isPrerelease()).isEqualTo(!prerelease.isEmpty());
    assertThat(v.text()).isEqualTo(tag);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "latest", "alpine", "stable-alpine", "mainline", "lts", "iron", "edge", "bookworm",
      "20261101",               // a bare date: no dot, no v
      "20", "22-alpine", "3",   // node's and python's major-only tags
      "18beta1",                // postgres's beta: no dot
      "nightly-2026-11-01",
      "7.3.x-exemplars",        // grafana
      "3.20-alpine_edge",       // '_' is not in a semver identifier
      "1.", ".1.2", "v", "va1", "1.2.3-", "1.2.3-a..b", "V1.2",
      "sha256-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.sig",
  })
  void otherTagsAreNotVersions(String tag) {
    assertThat(Version.ofTag(tag)).isEmpty();
  }

  @Test
  void aConstraintMayNameASingleNumberThatATagMayNot() {
    assertThat(Version.parse("20").part(0)).hasToString("20");
    assertThat(Version.ofTag("20")).isEmpty();
    assertThatThrownBy(() -> Version.parse("x.y"))
        .hasMessage("'x.y' is not a version (expected numbers separated by dots, optionally with a leading v "
            + "and a -prerelease, e.g. 1.25, v3.0 or 2.0.0-rc.1)");
  }

  @Test
  void ordersByPrecedenceWhateverTheInputOrder() {
    // Ascending, per semver item 11 with missing parts as 0; equal precedence listed together.
    List<String> ascending = List.of(
        "0.9.0-debian-10-r32", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
        "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.2.3", "1.2.3.4", "1.2.3.10",
        "1.10", "v2.0.0-rc.1", "v2.0.0", "3.14.0a3", "3.14.0rc1", "3.14.0", "10.0.20348.2966",
        "99999999999999999999.1");
    List<Version> shuffled = new ArrayList<>(ascending.stream().map(t -> Version.ofTag(t).orElseThrow()).toList());
    Collections.shuffle(shuffled, new Random(11));
    Collections.sort(shuffled);
    assertThat(shuffled).extracting(Version::text).containsExactlyElementsOf(ascending);
  }

  @Test
  void missingPartsCountAsZeroAndBuildNeverCounts() {
    assertThat(Version.parse("1.2").compareTo(Version.parse("1.2.0.0"))).isZero();
    assertThat(Version.parse("v1.2.0").compareTo(Version.parse("1.2"))).isZero();
    assertThat(Version.parse("1.2.3+build.9").compareTo(Version.parse("1.2.3+build.1"))).isZero();
    assertThat(Version.parse("1.2.3-rc.1").compareTo(Version.parse("1.2.3"))).isNegative();
  }

  @Test
  void coreDropsPreReleaseAndBuild() {
    assertThat(Version.parse("1.3.0-debian-12").core().text()).isEqualTo("1.3.0");
    assertThat(Version.parse("v1.3.0-rc.1+b7").core().text()).isEqualTo("v1.3.0");
    assertThat(Version.parse("3.14.0a3").core().text()).isEqualTo("3.14.0");
    assertThat(Version.parse("3.14.0a3").core().isPrerelease()).isFalse();
  }

  @ParameterizedTest(name = "{1} in {0}: {2}")
  @CsvSource(delimiter = '|', value = {
      // lambda-ecr-image-sync's README: "for v1.2-beta-10 it is beta and 10"
      "v1.2-beta-10          | beta   | true",
      "v1.2-beta-10          | 10     | true",
      "v1.2.3-debian-1-rc    | debian | true",
      "v1.2.3-debian-1-rc    | rc     | true",
      // ecr_sync_include_rls = "ubuntu,rc": "v.1.2-ubuntu v1.2-RC-1", and RC,UBUNTU to exclude: case is ignored
      "v1.2-RC-1             | rc     | true",
      "v1.2-ubuntu           | UBUNTU | true",
      // a part must start with the keyword, not merely contain it
      "1.5.0-debian-12-r0    | bian   | false",
      "1.5.0-debian-12-r0    | r      | true",
      "2.0.0-rc.1            | rc     | true",
      "2.0.0-prerc           | rc     | false",
      // a keyword with a separator matches across parts
      "1.5.0-debian-12-r0    | debian-12 | true",
      "1.5.0-debian-11-r0    | debian-12 | false",
      // a release has no keywords
      "1.5.0                 | debian | false",
  })
  void matchesPreReleaseKeywords(String tag, String keyword, boolean expected) {
    assertThat(Version.ofTag(tag).orElseThrow().hasPrereleaseKeyword(keyword)).isEqualTo(expected);
  }

  @Test
  void rejectsKeywordsThatCouldNeverMatch() {
    assertThatThrownBy(() -> Version.checkKeyword("")).hasMessage("empty keyword");
    assertThatThrownBy(() -> Version.checkKeyword("rc*"))
        .hasMessage("a keyword is letters, digits, '-' and '.' (it matches the start of a part of the pre-release, ignoring case)");
  }
}
