package dev.ecrmirror.controller.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.controller.table.MirrorRow;
import dev.ecrmirror.controller.table.RowParser;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class MirrorJobTest {
  @Test
  void parametersCarryTheDriftedDestinationsAsWritten() {
    MirrorRow row = (MirrorRow) RowParser.parse(Map.of("Source", AttributeValue.fromS("docker.io/library/redis:7"),
        "Destination", AttributeValue.fromS("r.example/redis,r.example/cache:7"),
        "Platforms", AttributeValue.fromS("linux/amd64,linux/arm64/v8")));
    MirrorJob job = new MirrorJob(row, Digest.parse("sha256:" + "a".repeat(64)), row.destinations());
    assertThat(job.sourceParameter()).isEqualTo("docker.io/library/redis:7");
    assertThat(job.destParameter()).isEqualTo("r.example/redis,r.example/cache:7");
    assertThat(job.platformCommand()).containsExactly("--platform", "linux/amd64", "--platform", "linux/arm64/v8",
        "docker.io/library/redis:7", "r.example/redis,r.example/cache:7");
    assertThat(job.jobName()).isEqualTo("mirror-library-redis-7").matches("[a-z0-9_-]{1,128}");
  }
}
