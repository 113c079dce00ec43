package dev.ecrmirror.controller.cli;

import dev.ecrmirror.controller.testing.Cli;
import org.junit.jupiter.api.Test;

/** {@code table put --repository-settings} refuses bad settings with one line and exit 2, before any table is opened. */
class TablePutSettingsTest {
  private static final String ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/alpine";

  @Test
  void badSettingsAreOneLineAndExitTwo() {
    TablePutRulesTest.refused("unknown tagMutability 'FROZEN'", "table", "put", "--repository-settings",
        "{\"tagMutability\":\"FROZEN\"}", "alpine:3.20", ECR);
    TablePutRulesTest.refused("is in us-east-1, but " + ECR + " is in eu-west-1", "table", "put", "--repository-settings",
        "{\"encryption\":\"KMS\",\"kmsKey\":\"arn:aws:kms:us-east-1:123456789012:key/abc\"}", "alpine:3.20", ECR);
    TablePutRulesTest.refused("lifecyclePolicy is not JSON", "table", "put", "--repository-settings",
        "{\"lifecyclePolicy\":\"expire untagged after 14 days\"}", "alpine:3.20", ECR);
    TablePutRulesTest.refused("--repository-settings is not JSON", "table", "put", "--repository-settings",
        "mode=refresh", "alpine:3.20", ECR);
  }
}
