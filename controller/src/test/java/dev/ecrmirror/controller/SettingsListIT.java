package dev.ecrmirror.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecrmirror.common.Json;
import dev.ecrmirror.common.testing.MotoServer;
import dev.ecrmirror.controller.testing.Cli;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * {@code table list --check-settings} in local mode against moto's ECR API: a row whose existing
 * destination repository lacks a setting the row asks for is listed with the difference, a matching
 * one is not, each repository is asked once however many rows share it (moto's own request recorder
 * counts the calls), a plain {@code table list} makes no ECR call, and a registry ECR does not answer
 * is one warning line, not a failed listing.
 */
class SettingsListIT {
  private static final String REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
  private static final String DESCRIBE = "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories";
  private static MotoServer moto;
  private static EcrClient ecr;

  @TempDir
  Path data;

  @BeforeAll
  static void start() throws Exception {
    moto = MotoServer.start();
    ecr = moto.ecr(Region.US_EAST_1);
    // The CLI builds its own clients from the default chain: give it test credentials.
    System.setProperty("aws.accessKeyId", "test");
    System.setProperty("aws.secretAccessKey", "test");
  }

  @AfterAll
  static void stop() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    if (ecr != null) {
      ecr.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    moto.reset();
    // What a user made by hand before mirroring: one repository without scanning, one with.
    ecr.createRepository(b -> b.repositoryName("mirror/plain").imageScanningConfiguration(s -> s.scanOnPush(false)));
    ecr.createRepository(b -> b.repositoryName("mirror/scanned").imageScanningConfiguration(s -> s.scanOnPush(true)));
  }

  private Cli.Run cli(String... args) {
    return Cli.local(data, args);
  }

  private void put(String settings, String source, String destination) {
    Cli.Run put = cli("table", "put", "--repository-settings", settings, source, destination);
    assertThat(put.exitCode()).as(put.err()).isZero();
  }

  private static Map<String, JsonNode> byRow(String jsonLines) throws Exception {
    Map<String, JsonNode> rows = new HashMap<>();
    for (String line : jsonLines.split("\\R")) {
      JsonNode row = Json.readTree(line);
      rows.put(row.get("Source").asText(), row);
    }
    return rows;
  }

  private static long describes(String repository) throws Exception {
    return moto.recorded().stream()
        .filter(r -> DESCRIBE.equals(r.target()) && r.body().contains("\"" + repository + "\"")).count();
  }

  @Test
  void aRepositoryThatDiffersIsListedWithTheDifferenceAndAMatchingOneIsNot() throws Exception {
    put("{\"scanOnPush\":true}", "127.0.0.1:9/team/a:1", REGISTRY + "/mirror/plain:a");
    put("{\"scanOnPush\":true}", "127.0.0.1:9/team/b:1", REGISTRY + "/mirror/scanned:b");
    // A second row on the same repository: the repository is asked about once.
    put("{\"scanOnPush\":true}", "127.0.0.1:9/team/c:1", REGISTRY + "/mirror/plain:c");
    moto.record();

    Cli.Run list = cli("table", "list", "--check-settings", "--ecr-endpoint-url", moto.endpoint().toString());

    assertThat(list.exitCode()).as(list.err()).isZero();
    assertThat(list.err()).isEmpty();
    assertThat(list.out()).containsPattern("127\\.0\\.0\\.1:9/team/a:1 .*settings differ: scanOnPush: wants true, has false")
        .containsPattern("127\\.0\\.0\\.1:9/team/c:1 .*settings differ: scanOnPush: wants true, has false");
    assertThat(list.out().lines().filter(l -> l.startsWith("127.0.0.1:9/team/b:1")))
        .singleElement().asString().doesNotContain("settings");
    assertThat(describes("mirror/plain")).isEqualTo(1);
    assertThat(describes("mirror/scanned")).isEqualTo(1);

    Map<String, JsonNode> json = byRow(cli("table", "list", "--json", "--check-settings",
        "--ecr-endpoint-url", moto.endpoint().toString()).out());
    assertThat(json.get("127.0.0.1:9/team/a:1").get("SettingsDiffer")).isEqualTo(Json.readTree(
        "{\"" + REGISTRY + "/mirror/plain:a\":[\"scanOnPush: wants true, has false\"]}"));
    assertThat(json.get("127.0.0.1:9/team/b:1").has("SettingsDiffer")).isFalse();
  }

  @Test
  void theDeploymentsSettingsLieUnderTheRowsAndARepositoryStillToBeCreatedIsNoDifference() throws Exception {
    // The row asks for scanning (which mirror/scanned has); the deployment adds immutable tags (which it lacks).
    put("{\"scanOnPush\":true}", "127.0.0.1:9/team/b:1", REGISTRY + "/mirror/scanned:b");
    put("{\"scanOnPush\":true}", "127.0.0.1:9/team/new:1", REGISTRY + "/mirror/new:1");
    // A repository row, to two repositories: both are checked.
    Cli.Run retag = cli("table", "put", "--tags", ".*", "--repository-settings", "{\"scanOnPush\":false}",
        "127.0.0.1:9/team/repo", REGISTRY + "/mirror/plain," + REGISTRY + "/mirror/scanned");
    assertThat(retag.exitCode()).as(retag.err()).isZero();

    Cli.Run list = cli("table", "list", "--json", "--check-settings", "--repository-settings",
        "{\"tagMutability\":\"IMMUTABLE\"}", "--ecr-endpoint-url", moto.endpoint().toString());

    assertThat(list.exitCode()).as(list.err()).isZero();
    Map<String, JsonNode> json = byRow(list.out());
    assertThat(json.get("127.0.0.1:9/team/b:1").get("SettingsDiffer")).isEqualTo(Json.readTree(
        "{\"" + REGISTRY + "/mirror/scanned:b\":[\"tagMutability: wants IMMUTABLE, has MUTABLE\"]}"));
    assertThat(json.get("127.0.0.1:9/team/new:1").has("SettingsDiffer")).isFalse();
    assertThat(json.get("127.0.0.1:9/team/repo").get("SettingsDiffer")).isEqualTo(Json.readTree(
        "{\"" + REGISTRY + "/mirror/plain\":[\"tagMutability: wants IMMUTABLE, has MUTABLE\"],"
            + "\"" + REGISTRY + "/mirror/scanned\":[\"scanOnPush: wants false, has true\","
            + "\"tagMutability: wants IMMUTABLE, has MUTABLE\"]}"));
  }

  @Test
  void aPutKeepsTheRowsSettingsUnlessItNamesThemAndNoneRemovesThem() throws Exception {
    put("{\"scanOnPush\":true}", "127.0.0.1:9/team/a:1", REGISTRY + "/mirror/plain:a");
    Cli.Run again = cli("table", "put", "127.0.0.1:9/team/a:1", REGISTRY + "/mirror/other:a");
    assertThat(again.exitCode()).as(again.err()).isZero();
    JsonNode kept = byRow(cli("table", "list", "--json").out()).get("127.0.0.1:9/team/a:1");
    assertThat(kept.path("Destination").get(0).asText()).isEqualTo(REGISTRY + "/mirror/other:a");
    assertThat(kept.path("RepositorySettings").path("scanOnPush").asBoolean()).isTrue();

    put("none", "127.0.0.1:9/team/a:1", REGISTRY + "/mirror/other:a");
    JsonNode removed = byRow(cli("table", "list", "--json").out()).get("127.0.0.1:9/team/a:1");
    assertThat(removed.has("RepositorySettings")).as(removed.toString()).isFalse();
  }

  @Test
  void withoutCheckSettingsNoEcrCallIsMade() throws Exception {
    put("{\"scanOnPush\":true}", "127.0.0.1:9/team/a:1", REGISTRY + "/mirror/plain:a");
    moto.record();

    Cli.Run list = cli("table", "list", "--ecr-endpoint-url", moto.endpoint().toString());
    Cli.Run json = cli("table", "list", "--json", "--ecr-endpoint-url", moto.endpoint().toString());

    assertThat(list.exitCode()).isZero();
    assertThat(list.out()).contains("127.0.0.1:9/team/a:1").doesNotContain("settings");
    assertThat(json.out()).doesNotContain("SettingsDiffer");
    assertThat(moto.recorded()).isEmpty();
  }

  @Test
  void aRegistryThatCannotBeAskedIsOneWarningAndTheListingGoesOn() throws Exception {
    put("{\"scanOnPush\":true}", "127.0.0.1:9/team/a:1", REGISTRY + "/mirror/plain:a");
    put("{\"scanOnPush\":true}", "127.0.0.1:9/team/b:1", REGISTRY + "/mirror/scanned:b");
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }

    Cli.Run list = cli("table", "list", "--check-settings", "--ecr-endpoint-url", "http://127.0.0.1:" + closed);

    assertThat(list.exitCode()).isZero();
    assertThat(list.out()).contains("127.0.0.1:9/team/a:1", "127.0.0.1:9/team/b:1", "2 row(s)")
        .doesNotContain("settings");
    assertThat(list.err().lines()).singleElement().asString()
        .startsWith("warning: cannot check the repository settings of registry " + REGISTRY + ": ");
  }

  @Test
  void optionsOfTheCheckNeedIt() {
    Cli.Run run = cli("table", "list", "--repository-settings", "{\"scanOnPush\":true}");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).isEqualTo("controller table list: --repository-settings needs --check-settings (see --help)"
        + System.lineSeparator());
    Cli.Run bad = cli("table", "list", "--check-settings", "--repository-settings", "{\"scanOnPush\":\"maybe\"}");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).startsWith("controller table list: --repository-settings: scanOnPush must be true or false");
  }
}
