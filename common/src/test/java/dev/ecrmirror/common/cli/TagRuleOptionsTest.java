package dev.ecrmirror.common.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.tags.RuleSpec;
import dev.ecrmirror.common.tags.TagRules;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** The tag rule options reach the RuleSpec, and a bad value is a usage error naming the option. */
class TagRuleOptionsTest {
  private final TagRuleOptions options = new TagRuleOptions();
  private final StringWriter err = new StringWriter();
  private final CommandLine cli;

  TagRuleOptionsTest() {
    Callable<Integer> command = () -> 0;
    CommandSpec spec = CommandSpec.wrapWithoutInspection(command).name("cmd").addMixin("rules", options.mixin());
    cli = new CommandLine(spec);
    cli.setErr(new PrintWriter(err, true));
  }

  private int run(String... args) {
    err.getBuffer().setLength(0);
    return cli.execute(args);
  }

  /** The first line picocli printed: the error, before the usage help. */
  private String error() {
    return err.toString().lines().findFirst().orElse("");
  }

  @Test
  void noOptionsMeanNoRules() {
    assertThat(run()).isZero();
    assertThat(options.toSpec()).isEqualTo(RuleSpec.none());
    assertThat(options.toSpec().isEmpty()).isTrue();
  }

  @Test
  void everyOptionReachesTheSpecListsRepeatableAndCommaSeparated() {
    assertThat(run("--tags", "1.{26,27}.*,latest", "--tags", "stable,regex:(a|b),[xy]*", "--exclude-tags", "*-perl",
        "--constraint", ">= 1.25", "--include-prereleases", "alpine,bookworm", "--exclude-prereleases", "rc",
        "--exclude-prereleases", "beta", "--release-only", "--max-results", "3")).isZero();
    assertThat(options.toSpec()).isEqualTo(new RuleSpec(List.of("1.{26,27}.*", "latest", "stable", "regex:(a|b)", "[xy]*"), List.of("*-perl"),
        Optional.of(">= 1.25"), List.of("alpine", "bookworm"), List.of("rc", "beta"), true, OptionalInt.of(3)));
  }

  @Test
  void theWorkerExampleSelectsLikeTheTableWould() {
    assertThat(run("--constraint", ">= 1.25", "--max-results", "3")).isZero();
    assertThat(TagRules.of(options.toSpec()).select(List.of("1.27.3", "1.26.2", "1.25.5", "1.24.0", "latest", "1.27.3-alpine")))
        .containsExactly("1.27.3", "1.26.2", "1.25.5");
  }

  @Test
  void theSeedsTagValueOperatorsNeedNoQuotingTricks() {
    assertThat(run("--constraint", "-ge v1.1.1")).isZero();
    assertThat(options.toSpec().constraint()).contains("-ge v1.1.1");
  }

  @Test
  void anEmptyElementIsAUsageErrorNamingTheOption() {
    assertThat(run("--tags", "a,,b")).isEqualTo(2);
    assertThat(error()).isEqualTo("Invalid value for option '--tags' (PATTERN[,PATTERN...]): list 'a,,b' has an empty element");
    assertThat(run("--exclude-prereleases", "rc,")).isEqualTo(2);
    assertThat(error()).isEqualTo("Invalid value for option '--exclude-prereleases' (KEYWORD[,KEYWORD...]): list 'rc,' has an empty element");
    assertThat(run("--tags", " ")).isEqualTo(2);
    assertThat(error()).isEqualTo("Invalid value for option '--tags' (PATTERN[,PATTERN...]): empty value");
  }

  @Test
  void badValuesAreUsageErrorsNamingTheOptionAndTheValue() {
    assertThat(run("--constraint", ">= x.y")).isEqualTo(2);
    assertThat(error()).isEqualTo("Invalid value for option '--constraint': '>= x.y': 'x.y' is not a version "
        + "(expected numbers separated by dots, optionally with a leading v and a -prerelease, e.g. 1.25, v3.0 or 2.0.0-rc.1)");
  }

  @Test
  void aBadRegex() {
    assertThat(run("--tags", "latest,regex:(")).isEqualTo(2);
    assertThat(error()).isEqualTo("Invalid value for option '--tags' (PATTERN[,PATTERN...]): 'regex:(': bad regex: Unclosed group near index 1");
  }

  @Test
  void aBadKeyword() {
    assertThat(run("--include-prereleases", "debian,rc*")).isEqualTo(2);
    assertThat(error()).isEqualTo("Invalid value for option '--include-prereleases' (KEYWORD[,KEYWORD...]): 'rc*': a keyword is letters, "
        + "digits, '-' and '.' (it matches the start of a part of the pre-release, ignoring case)");
  }

  @Test
  void maxResultsMustBePositive() {
    assertThat(run("--max-results", "0")).isEqualTo(2);
    assertThat(error()).isEqualTo("Invalid value for option '--max-results': must be 1 or more, not 0");
    assertThat(run("--max-results", "ten")).isEqualTo(2);
    assertThat(error()).isEqualTo("Invalid value for option '--max-results': 'ten' is not a whole number");
  }

  @Test
  void helpListsEveryOption() {
    String help = cli.getUsageMessage();
    for (String option : List.of("--tags", "--exclude-tags", "--constraint", "--include-prereleases",
        "--exclude-prereleases", "--release-only", "--max-results")) {
      assertThat(help).contains(option);
    }
  }
}
