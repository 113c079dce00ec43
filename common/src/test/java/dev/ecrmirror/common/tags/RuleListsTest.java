package dev.ecrmirror.common.tags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RuleListsTest {

  @Test
  void splitsAtCommasOutsideBraces() {
    assertThat(RuleLists.split("1.{24,25}.*, latest")).containsExactly("1.{24,25}.*", "latest");
    assertThat(RuleLists.split("regex:\\d{1,3}\\.\\d+,stable")).containsExactly("regex:\\d{1,3}\\.\\d+", "stable");
    // lambda-ecr-image-sync's ECR tag values: ecr_sync_include_rls = "ubuntu,rc"
    assertThat(RuleLists.split("ubuntu,rc")).containsExactly("ubuntu", "rc");
    assertThat(RuleLists.split(" latest ")).containsExactly("latest");
  }

  @Test
  void anEmptyEntryIsAnError() {
    assertThatThrownBy(() -> RuleLists.split("a,,b")).hasMessage("empty entry (entry 2 of 'a,,b')");
    assertThatThrownBy(() -> RuleLists.split("a,")).hasMessage("empty entry (entry 2 of 'a,')");
    assertThatThrownBy(() -> RuleLists.split("")).hasMessage("empty entry (entry 1 of '')");
  }
}
