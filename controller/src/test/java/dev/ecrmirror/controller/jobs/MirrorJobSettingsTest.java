package dev.ecrmirror.controller.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.controller.table.MirrorRow;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A row's repository settings reach its job as the {@code settings} parameter, compact, and only when it has some. */
class MirrorJobSettingsTest {
  private static final Digest A = Digest.parse("sha256:" + "a".repeat(64));

  @Test
  void settingsTravelAsCompactJsonInTheParametersAndAPlatformsCommand() {
    MirrorRow row = MirrorJobTest.row("docker.io/library/redis:7", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/redis",
        Map.of("RepositorySettings", AttributeValue.fromS("{ \"mode\" : \"refresh\" }"),
            "Platforms", AttributeValue.fromS("linux/amd64")));
    MirrorJob job = new MirrorJob(row, A, row.destinations());

    assertThat(job.parameters()).containsEntry("settings", "{\"mode\":\"refresh\"}");
    assertThat(job.platformCommand()).containsSubsequence("--repository-settings", "{\"mode\":\"refresh\"}",
        "docker.io/library/redis:7");
  }

  @Test
  void aRowWithoutSettingsSendsNoSettingsParameter() {
    MirrorRow row = MirrorJobTest.row("docker.io/library/redis:7", "r.example/redis", Map.of());
    MirrorJob job = new MirrorJob(row, A, row.destinations());

    assertThat(job.parameters()).doesNotContainKey("settings");
    assertThat(job.platformCommand()).doesNotContain("--repository-settings");
  }
}
