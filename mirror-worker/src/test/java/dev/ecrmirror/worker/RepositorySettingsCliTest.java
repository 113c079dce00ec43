package dev.ecrmirror.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.cli.ExitCodes;
import org.junit.jupiter.api.Test;

/** Bad --repository-settings and --assume-role values are one line and exit 2, before anything is contacted. */
class RepositorySettingsCliTest {
  private static final String ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/app";

  private static void refused(String expected, String... args) {
    MirrorWorkerCliTest.Run run = MirrorWorkerCliTest.run(args);
    assertThat(run.exit()).as(run.err()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().strip()).startsWith("mirror-worker: ").contains(expected).endsWith("(see --help)")
        .doesNotContain("\n", "Exception");
  }

  @Test
  void badSettingsAndRolesAreOneLine() {
    refused("--repository-settings: unknown mode 'update': use one of create, refresh",
        "--repository-settings", "{\"mode\":\"update\"}", "127.0.0.1:9/team/app:1", ECR);
    refused("--repository-settings: lifecyclePolicy is not JSON",
        "--repository-settings", "{\"lifecyclePolicy\":\"keep 5\"}", "127.0.0.1:9/team/app:1", ECR);
    refused("kmsKey arn:aws:kms:us-east-1:123456789012:key/k is in us-east-1, but " + ECR + " is in eu-west-1",
        "--repository-settings", "{\"encryption\":\"KMS\",\"kmsKey\":\"arn:aws:kms:us-east-1:123456789012:key/k\"}",
        "127.0.0.1:9/team/app:1", ECR);
    refused("--assume-role 'arn:aws:iam::210987654321:role/push' must be ACCOUNT=ROLE_ARN",
        "--assume-role", "arn:aws:iam::210987654321:role/push", "127.0.0.1:9/team/app:1", ECR);
  }
}
