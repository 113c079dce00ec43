package dev.ecrmirror.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** The referrer options as a user and a Batch job write them, and the type filter they give. */
class ReferrerPolicyTest {

  private static ReferrerPolicy parse(String... args) {
    ReferrerCliOptions options = new ReferrerCliOptions();
    Callable<Integer> noop = () -> 0;
    CommandSpec spec = CommandSpec.wrapWithoutInspection(noop).addMixin("referrers", options.mixin())
        .addPositional(PositionalParamSpec.builder().index("0..*").type(List.class).auxiliaryTypes(String.class).build());
    new CommandLine(spec).parseArgs(args);
    return options.policy();
  }

  @Test
  void onByDefaultAndOffAsTheUserOrTheJobDefinitionSaysIt() {
    assertThat(parse("src", "dst").enabled()).isTrue();
    assertThat(parse("--no-referrers", "src", "dst").enabled()).isFalse();
    // The job definition's command: --referrers Ref::referrers, the parameter true or false.
    assertThat(parse("--referrers", "false", "src", "dst").enabled()).isFalse();
    assertThat(parse("--referrers", "true", "src", "dst").enabled()).isTrue();
    assertThat(parse("--referrers", "src", "dst").enabled()).isTrue();
    assertThat(parse("--referrers-only", "src", "dst").only()).isTrue();
  }

  @Test
  void typesIncludeOrExcludeAndAPrefixEndsInAStar() {
    ReferrerPolicy noSbom = parse("--referrers-type", "!application/spdx+json", "src", "dst");
    assertThat(noSbom.wants("application/vnd.dev.cosign.simplesigning.v1+json")).isTrue();
    assertThat(noSbom.wants("application/spdx+json")).isFalse();

    ReferrerPolicy cosignOnly = parse("--referrers-type", "application/vnd.dev.cosign.*,application/vnd.dsse.envelope.v1+json",
        "src", "dst");
    assertThat(cosignOnly.wants("application/vnd.dev.cosign.simplesigning.v1+json")).isTrue();
    assertThat(cosignOnly.wants("application/vnd.dsse.envelope.v1+json")).isTrue();
    assertThat(cosignOnly.wants("text/spdx+json")).isFalse();
  }

  @Test
  void badValuesSayWhatIsWrong() {
    assertThatThrownBy(() -> parse("--referrers-type", "sbom", "src", "dst"))
        .hasMessage("--referrers-type 'sbom' is not a media type such as application/spdx+json "
            + "(prefix ! to exclude one, end with * to match a prefix)");
    assertThatThrownBy(() -> parse("--no-referrers", "--referrers-only", "src", "dst"))
        .hasMessageContaining("contradict");
    assertThatThrownBy(() -> parse("--no-referrers", "--referrers-type", "text/spdx", "src", "dst"))
        .hasMessageContaining("drop one");
  }
}
