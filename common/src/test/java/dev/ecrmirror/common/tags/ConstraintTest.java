package dev.ecrmirror.common.tags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Constraints select what go-version would, with the dash operators, and say what is wrong with bad ones. */
class ConstraintTest {
  /** Versions seen on real repositories, from old to new. */
  private static final List<String> VERSIONS = List.of(
      "1.9.9", "v2.0.0-rc.1", "2.0", "2.0.0", "2.0.1", "v2.1.3", "2.9.0", "3.0", "v3.0.0", "3.0.1", "3.0.1-rc.2",
      "3.5.2", "v4.9.12", "5.0.0-alpha", "5.0.0", "5.1");

  private static List<String> matching(String constraint) {
    Constraint c = Constraint.parse(constraint);
    return VERSIONS.stream().filter(t -> c.matches(Version.ofTag(t).orElseThrow())).toList();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      // lambda-ecr-image-sync's README examples (with and without a space after the operator)
      "~>2.0              | 2.0 2.0.0 2.0.1 v2.1.3 2.9.0",
      "~> v3.0            | 3.0 v3.0.0 3.0.1 3.5.2",
      "= v3.0             | 3.0 v3.0.0",
      ">= v3.0, < v5.0  | 3.0 v3.0.0 3.0.1 3.5.2 v4.9.12",
      // its ECR-tag form: -ge instead of >=, which an AWS tag value cannot hold
      "-ge v1.1.1         | 1.9.9 2.0 2.0.0 2.0.1 v2.1.3 2.9.0 3.0 v3.0.0 3.0.1 3.5.2 v4.9.12 5.0.0 5.1",
      "-ge 2.0, -lt 3   | 2.0 2.0.0 2.0.1 v2.1.3 2.9.0",
      "-GT 4.9.12       | 5.0.0 5.1",
      "-le v2.0           | 1.9.9 2.0 2.0.0",
      "-eq 2            | 2.0 2.0.0",
      // go-version: no operator means =, and the rest of its table
      "3.0.1              | 3.0.1",
      "!= 2.0, < 2.1    | 1.9.9 2.0.1",
      "> 4.9.12           | 5.0.0 5.1",
      "<= 2.0.0         | 1.9.9 2.0 2.0.0",
      // ~> fixes every written part but the last
      "~> 2.0.0           | 2.0 2.0.0 2.0.1",
      "~> 2               | 2.0 2.0.0 2.0.1 v2.1.3 2.9.0",
      // a constraint naming a pre-release matches pre-releases of that version only (go-version's prereleaseCheck)
      ">= 3.0.1-rc.1    | 3.0.1 3.0.1-rc.2 3.5.2 v4.9.12 5.0.0 5.1",
      "~> 2.0.0-rc.1      | v2.0.0-rc.1",
  })
  void selectsWhatGoVersionWould(String constraint, String expected) {
    assertThat(matching(constraint)).containsExactlyElementsOf(Arrays.asList(expected.split(" ")));
  }

  @Test
  void aConstraintWithoutPreReleaseNeverMatchesOne() {
    Constraint c = Constraint.parse(">= 1.0");
    assertThat(c.matches(Version.parse("1.3.0-debian-12"))).isFalse();
    assertThat(c.matches(Version.parse("5.0.0-alpha"))).isFalse();
    assertThat(c.matches(Version.parse("1.3.0-debian-12").core())).isTrue();
    assertThat(c.namesPrerelease()).isFalse();
    assertThat(Constraint.parse(">= 1.0.0-rc.1").namesPrerelease()).isTrue();
  }

  @ParameterizedTest(name = "[{0}]")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      ">= x.y     | 'x.y' is not a version (expected numbers separated by dots, optionally with a leading v and a -prerelease, e.g. 1.25, v3.0 or 2.0.0-rc.1)",
      // lambda-ecr-image-sync's README writes '=> v3.0, < v5.0'; go-version rejects it as well
      "=> v3.0, < v5.0 | unknown operator '=>' (did you mean '>='?); use one of = != > < >= <= ~> -eq -ne -gt -lt -ge -le",
      "=< 2       | unknown operator '=<' (did you mean '<='?); use one of = != > < >= <= ~> -eq -ne -gt -lt -ge -le",
      "-gte 1.0   | unknown operator '-gte'; use one of = != > < >= <= ~> -eq -ne -gt -lt -ge -le",
      ">= 1.0,    | check 2 of 2 is empty",
      "\"   \"        | empty; write a check such as '>= 1.25' or '~> 2.0'",
      ">=         | '>=' needs a version after it",
      ">= 1.0 2.0 | '>= 1.0 2.0' is not an operator and a version",
      "latest       | 'latest' is not a version (expected numbers separated by dots, optionally with a leading v and a -prerelease, e.g. 1.25, v3.0 or 2.0.0-rc.1)",
  })
  void saysWhatIsWrong(String constraint, String message) {
    assertThatThrownBy(() -> Constraint.parse(constraint))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }
}
