package dev.ecrmirror.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.controller.testing.Cli;
import org.junit.jupiter.api.Test;

/** {@code table put} refuses bad rules with one line and exit 2, before any table is opened. */
class TablePutRulesTest {
  static void refused(String expected, String... args) {
    Cli.Run run = Cli.run(args);
    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    assertThat(run.err().strip()).startsWith("controller table put: ").contains(expected).doesNotContain("\n", "Exception", "Usage");
  }

  @Test
  void badRulesAndTaggedSourcesAreOneLineAndExitTwo() {
    refused("banana", "table", "put", "--constraint", ">= banana", "docker.io/library/nginx", "r.example/nginx");
    refused("regex", "table", "put", "--tags", "regex:([", "docker.io/library/nginx", "r.example/nginx");
    refused("--max-results", "table", "put", "--max-results", "0", "docker.io/library/nginx", "r.example/nginx");
    refused("names a tag", "table", "put", "--tags", "1.*", "docker.io/library/nginx:1.25", "r.example/nginx");
    refused("names a tag or digest", "table", "put", "--tags", "1.*", "docker.io/library/nginx", "r.example/nginx:1");
    refused("empty label", "table", "put", "--tags", "1.*", "docker.io/library/nginx#", "r.example/nginx");
  }
}
