package dev.ecrmirror.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecrmirror.common.testing.DockerHubStub;
import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.controller.local.LocalMode;
import dev.ecrmirror.controller.table.MirrorTable;
import dev.ecrmirror.controller.testing.Cli;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table of 500 rows whose sources are all on a Docker Hub-like registry with 40 pulls left (a
 * stub: nothing real serves rate limits), copied in local mode to a real docker-registry: the rows
 * past the budget wait for the next run instead of failing, and the registry sees no pull after
 * the budget ran out.
 */
class RateBudgetIT {
  private static final int ROWS = 500;
  private static final int LIMIT = 40;
  private static final int RESERVE = 2;

  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(1);

  @TempDir
  Path data;

  Cli.Run run(String... args) {
    return Cli.local(data, args);
  }

  @Test
  void rowsPastTheBudgetAreDeferredNotFailedAndTheNextRunGoesOn() throws Exception {
    try (DockerHubStub hub = DockerHubStub.start(LIMIT)) {
      String dst = registries.get(0).host();
      List<String> sources = IntStream.range(0, ROWS).mapToObj(i -> hub.host() + "/library/app:t" + i).toList();
      // The destination holds the blobs already: parallel uploads of one blob into one repository race
      // in docker-registry, and this test is about pulls (manifest GETs), not uploads.
      TestImages seed = new TestImages(registries.get(0).baseUri(), 1);
      hub.blobs().forEach((digest, bytes) -> seed.blob("mirror/app", bytes, "application/octet-stream"));
      assertThat(run("table", "put", sources.getFirst(), dst + "/mirror/app").exitCode()).isZero();
      try (LocalMode db = LocalMode.open(data, "RateBudgetIT", Duration.ZERO, note -> { })) {
        MirrorTable table = new MirrorTable(db.dynamo(), "ecr-mirror");
        sources.stream().skip(1).parallel()
            .forEach(s -> table.putDefinition(s, List.of(dst + "/mirror/app"), List.of(), Optional.empty()));
      }

      Cli.Run first = run("sync", "--jobs", "8", "--pull-reserve", String.valueOf(RESERVE));
      Map<String, Integer> statuses = statuses();
      assertThat(hub.pulls()).as("every pull but the reserve spent").isEqualTo(LIMIT - RESERVE);
      assertThat(hub.refused()).as("no pull asked for after the budget ran out").isZero();
      assertThat(statuses).as(statuses + "\n" + first.err()).doesNotContainKey("failed")
          .containsEntry("mirrored", LIMIT - RESERVE).containsEntry("deferred", ROWS - (LIMIT - RESERVE));
      assertThat(first.exitCode()).as("deferred rows are not a failure").isZero();

      hub.resetWindow();
      Cli.Run second = run("sync", "--jobs", "8", "--pull-reserve", String.valueOf(RESERVE));
      statuses = statuses();
      assertThat(hub.pulls()).isEqualTo(2 * (LIMIT - RESERVE));
      assertThat(hub.refused()).isZero();
      assertThat(statuses).as(statuses + "\n" + second.err()).doesNotContainKey("failed")
          .containsEntry("deferred", ROWS - 2 * (LIMIT - RESERVE));
      assertThat(second.exitCode()).isZero();
    }
  }

  /** How many rows hold each status. */
  private Map<String, Integer> statuses() throws Exception {
    Cli.Run list = run("table", "list", "--json");
    assertThat(list.exitCode()).as(list.err()).isZero();
    ObjectMapper json = new ObjectMapper();
    Map<String, Integer> out = new TreeMap<>();
    for (String line : list.out().strip().split("\n")) {
      JsonNode row = json.readTree(line);
      out.merge(row.path("MirrorStatus").asText(), 1, Integer::sum);
    }
    return out;
  }
}
