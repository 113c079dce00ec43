package dev.ecrmirror.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.RegistryContents;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.controller.testing.Cli;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Local mode end to end, in process: embedded DynamoDB Local, the worker's engine, real registries. */
class LocalModeIT {
  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(2);

  @TempDir
  Path data;

  Cli.Run run(String... args) {
    return Cli.local(data, args);
  }

  @Test
  void putSyncAndSyncAgainLeavesDestinationsAtTheSourceDigest() throws Exception {
    String src = registries.get(0).host();
    String dst = registries.get(1).host();
    TestImages images = new TestImages(registries.get(0).baseUri(), 11);
    TestImages.Pushed index = images.ociIndex("multi", "v1", List.of("linux/amd64", "linux/arm64"), 1, 512);
    images.tag("multi", "v2", index);
    TestImages.Pushed single = images.image("app", "linux", "amd64", "", false, 2, 512);
    images.tag("app", "1", single);

    assertThat(run("table", "put", src + "/multi:v1", dst + "/multi").exitCode()).isZero();
    assertThat(run("table", "put", src + "/app:1", dst + "/app:1," + dst + "/copy:1").exitCode()).isZero();
    assertThat(run("table", "put", "--platform", "linux/amd64", src + "/multi:v2", dst + "/amd64only").exitCode()).isZero();

    Cli.Run plan = run("sync", "--dry-run");
    assertThat(plan.exitCode()).as(plan.err()).isZero();
    assertThat(plan.out()).contains("would submit", dst + "/multi:v1: missing", "dry run, nothing written");
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), "multi", "v1")).isEmpty();

    Cli.Run first = run("sync");
    assertThat(first.exitCode()).as(first.out() + first.err()).isZero();
    assertThat(first.out()).contains("3 mirrored");
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), "multi", "v1").orElseThrow().digest())
        .isEqualTo(index.digest());
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), "app", "1").orElseThrow().digest())
        .isEqualTo(single.digest());
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), "copy", "1").orElseThrow().digest())
        .isEqualTo(single.digest());
    // The platform selection rewrote the index: the destination differs from the source by design.
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), "amd64only", "v2").orElseThrow().digest())
        .isNotEqualTo(index.digest());

    Cli.Run second = run("sync");
    assertThat(second.exitCode()).as(second.out() + second.err()).isZero();
    assertThat(second.out()).contains("3 row(s): 3 in sync").doesNotContain("mirrored");

    Cli.Run list = run("table", "list", "--json");
    assertThat(list.exitCode()).isZero();
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> rows = new ArrayList<>();
    for (String line : list.out().strip().split("\n")) {
      rows.add(json.readTree(line));
    }
    assertThat(rows).hasSize(3);
    assertThat(rows).allSatisfy(r -> {
      assertThat(r.path("MirrorStatus").asText()).isEqualTo("in sync");
      assertThat(r.path("Destination").isArray()).isTrue();
      assertThat(r.path("MirroredAt").asText()).isNotBlank();
    });
    JsonNode multi = rows.stream().filter(r -> r.path("Source").asText().equals(src + "/multi:v1")).findFirst().orElseThrow();
    assertThat(multi.path("SourceDigest").asText()).isEqualTo(index.digest().toString());
    assertThat(multi.path("DestinationDigests").path(dst + "/multi:v1").asText()).isEqualTo(index.digest().toString());

    Cli.Run human = run("table", "list");
    assertThat(human.out()).contains("SOURCE", "STATUS", "in sync", "3 row(s)");

    assertThat(run("table", "delete", src + "/app:1").exitCode()).isZero();
    Cli.Run gone = run("table", "delete", src + "/app:1");
    assertThat(gone.exitCode()).isEqualTo(1);
    assertThat(gone.err()).contains("no row for");
    assertThat(run("table", "list", "--json").out().strip().split("\n")).hasSize(2);
  }

  @Test
  void badInputIsAUsageErrorOnOneLine() {
    Cli.Run bad = run("table", "put", "docker.io/Library/alpine", "127.0.0.1:5000/alpine");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err().strip()).startsWith("controller table put: source:").contains("must be lowercase").doesNotContain("\n", "Exception");
    Cli.Run badDest = run("table", "put", "alpine", "127.0.0.1:5000/al pine");
    assertThat(badDest.exitCode()).isEqualTo(2);
    assertThat(badDest.err()).contains("destination");
    Cli.Run badPlatform = run("table", "put", "--platform", "linux", "alpine", "127.0.0.1:5000/alpine");
    assertThat(badPlatform.exitCode()).isEqualTo(2);
    assertThat(badPlatform.err()).contains("os/arch");
    assertThat(Cli.run("sync", "--no-such-option").exitCode()).isEqualTo(2);
    assertThat(Cli.run("--help").out()).contains("Exit codes", "table", "sync");
    assertThat(Cli.run("sync", "--help").out()).contains("--dry-run", "--events", "--concurrency", "--insecure-registry",
        "--auth-file", "--retry-times", "--local", "--data-dir", "--job-queue", "ECR_MIRROR_JOB_QUEUE");
  }
}
