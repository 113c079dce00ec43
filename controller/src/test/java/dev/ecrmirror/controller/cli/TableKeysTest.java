package dev.ecrmirror.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The keys {@code table delete} tries for what the user typed. */
class TableKeysTest {
  @Test
  void aBareRepositoryFindsARepositoryRowAndALabelIsKept() {
    assertThat(TableCommand.candidates("nginx#stable")).containsExactly("nginx#stable",
        "docker.io/library/nginx#stable", "docker.io/library/nginx:latest#stable");
    assertThat(TableCommand.candidates("nginx:1.25")).containsExactly("nginx:1.25", "docker.io/library/nginx:1.25");
    assertThat(TableCommand.candidates("NOT A REFERENCE")).containsExactly("NOT A REFERENCE");
  }
}
