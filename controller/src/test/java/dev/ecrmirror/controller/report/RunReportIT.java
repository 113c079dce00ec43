package dev.ecrmirror.controller.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecrmirror.common.report.ReportLine;
import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.RegistryContents;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.controller.testing.Cli;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sync --report} in local mode, through the CLI: real registries (and a dead one on port 1),
 * the embedded table, copies in process. Each report is read back as a user would read it.
 */
class RunReportIT {
  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(2);

  static final ObjectMapper JSON = new ObjectMapper();
  static final String DEAD = "127.0.0.1:1";

  static String src;
  static String dst;
  static TestImages.Pushed app;
  static TestImages.Pushed other;

  @TempDir
  Path data;

  @TempDir
  Path out;

  @BeforeAll
  static void images() {
    src = registries.get(0).host();
    dst = registries.get(1).host();
    TestImages source = new TestImages(registries.get(0).baseUri(), 31);
    app = source.image("app", "linux", "amd64", "", false, 2, 1024);
    source.tag("app", "1", app);
    source.tag("app", "2", app);
    source.tag("repo", "v1", source.image("repo", "linux", "amd64", "", false, 1, 512));
    other = source.image("repo", "linux", "arm64", "v8", false, 1, 1024);
    source.tag("repo", "v2", other);
    source.tag("repo", "edge", other);
    // The destination already holds app:2 (same seed, same bytes), and old:1 at another digest.
    TestImages dest = new TestImages(registries.get(1).baseUri(), 31);
    dest.image("app", "linux", "amd64", "", false, 2, 1024);
    dest.tag("app", "2", app);
    TestImages stale = new TestImages(registries.get(1).baseUri(), 77);
    stale.tag("old", "1", stale.image("old", "linux", "amd64", "", false, 1, 256));
  }

  Cli.Run run(String... args) {
    return Cli.local(data, args);
  }

  Cli.Run sync(String... args) {
    List<String> all = new ArrayList<>(List.of("sync", "--retry-times", "0"));
    all.addAll(List.of(args));
    return run(all.toArray(String[]::new));
  }

  void rows() {
    // A dead destination next to a healthy one; one already in sync; a repository row of two tags.
    assertThat(run("table", "put", src + "/app:1", dst + "/app:1," + DEAD + "/dead/app:1").exitCode()).isZero();
    assertThat(run("table", "put", src + "/app:2", dst + "/app:2").exitCode()).isZero();
    assertThat(run("table", "put", "--tags", "v*", src + "/repo", dst + "/repo").exitCode()).isZero();
  }

  @Test
  void theReportOfARunWithCopiesAndFailuresListsEveryRowDestinationAndTag() throws IOException {
    rows();
    Path report = out.resolve("run.json");
    Cli.Run first = sync("--report", report.toString());
    assertThat(first.exitCode()).as(first.out() + first.err()).isEqualTo(1);
    assertThat(first.err()).doesNotContain("warning");

    Map<String, JsonNode> lines = byPlace(JSON.readTree(Files.readString(report)));
    String digest = app.digest().toString();
    assertThat(lines).containsOnlyKeys(src + "/app:1 -> " + dst + "/app:1", src + "/app:1 -> " + DEAD + "/dead/app:1",
        src + "/app:2 -> " + dst + "/app:2", src + "/repo v1 -> " + dst + "/repo", src + "/repo v2 -> " + dst + "/repo");

    JsonNode copied = lines.get(src + "/app:1 -> " + dst + "/app:1");
    assertThat(copied.path("outcome").asText()).isEqualTo("mirrored");
    assertThat(copied.path("sourceDigest").asText()).isEqualTo(digest);
    assertThat(copied.path("digestBefore").isNull()).as("the destination lacked it").isTrue();
    assertThat(copied.path("digest").asText()).isEqualTo(digest);
    // Its layers were already at the destination (app:2 shares them): nothing to upload.
    assertThat(copied.path("bytesUploaded").asLong()).isZero();
    assertThat(copied.path("seconds").isNumber()).isTrue();
    assertThat(copied.path("error").isNull()).isTrue();

    JsonNode dead = lines.get(src + "/app:1 -> " + DEAD + "/dead/app:1");
    assertThat(dead.path("outcome").asText()).isEqualTo("retrying");
    assertThat(dead.path("error").asText()).contains(DEAD);
    assertThat(dead.path("kind").asText()).isEqualTo("transient");
    assertThat(dead.path("digest").isNull()).isTrue();

    JsonNode inSync = lines.get(src + "/app:2 -> " + dst + "/app:2");
    assertThat(inSync.path("outcome").asText()).isEqualTo("in sync");
    assertThat(inSync.path("digestBefore").asText()).isEqualTo(digest);
    assertThat(inSync.path("digest").asText()).isEqualTo(digest);
    assertThat(inSync.path("bytesUploaded").isNull()).as("nothing was copied").isTrue();

    JsonNode v2 = lines.get(src + "/repo v2 -> " + dst + "/repo");
    assertThat(v2.path("outcome").asText()).isEqualTo("mirrored");
    assertThat(v2.path("sourceDigest").asText()).isEqualTo(other.digest().toString());
    assertThat(v2.path("digest").asText()).isEqualTo(other.digest().toString());
    assertThat(v2.path("bytesUploaded").asLong()).isGreaterThan(1024);
    assertThat(lines.get(src + "/repo v1 -> " + dst + "/repo").path("outcome").asText()).isEqualTo("mirrored");
    // What the report says was copied is there.
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), "repo", "v2").orElseThrow().digest())
        .isEqualTo(other.digest());

    // The next run, as gzipped CSV: the copies are in sync now, the dead destination still fails.
    Path csv = out.resolve("again.csv.gz");
    Cli.Run second = sync("--report", csv.toString());
    assertThat(second.exitCode()).isEqualTo(1);
    List<Map<String, String>> records = csv(gunzip(csv));
    assertThat(records).hasSize(5);
    assertThat(records).filteredOn(r -> r.get("destination").startsWith(DEAD))
        .singleElement().satisfies(r -> assertThat(r.get("outcome")).isEqualTo("retrying"));
    assertThat(records).filteredOn(r -> !r.get("destination").startsWith(DEAD))
        .allSatisfy(r -> {
          assertThat(r.get("outcome")).isEqualTo("in sync");
          assertThat(r.get("digest")).isEqualTo(r.get("digestBefore")).isEqualTo(r.get("sourceDigest"));
          assertThat(r.get("bytesUploaded")).isEmpty();
        });
    assertThat(records).filteredOn(r -> r.get("source").equals(src + "/repo")).extracting(r -> r.get("tag"))
        .containsExactlyInAnyOrder("v1", "v2");
  }

  @Test
  void aDryRunReportListsExactlyWhatIsMissingAndWhy() throws IOException {
    assertThat(run("table", "put", src + "/app:1", dst + "/plan/app:1," + dst + "/old:1").exitCode()).isZero();
    assertThat(run("table", "put", src + "/app:2", dst + "/app:2").exitCode()).isZero();
    assertThat(run("table", "put", "--tags", "v*", src + "/repo", dst + "/planrepo").exitCode()).isZero();
    Path missing = out.resolve("missing.csv");

    Cli.Run plan = sync("--dry-run", "--report", missing.toString());
    assertThat(plan.exitCode()).as(plan.out() + plan.err()).isZero();

    List<Map<String, String>> records = csv(Files.readString(missing));
    assertThat(records).extracting(r -> r.get("source") + " " + r.get("tag") + " -> " + r.get("destination"))
        .containsExactlyInAnyOrder(src + "/app:1  -> " + dst + "/plan/app:1", src + "/app:1  -> " + dst + "/old:1",
            src + "/repo v1 -> " + dst + "/planrepo", src + "/repo v2 -> " + dst + "/planrepo");
    assertThat(records).extracting(r -> r.get("source")).as("rows in key order").isSorted();
    assertThat(records).allSatisfy(r -> assertThat(r.get("outcome")).isEqualTo("drift"));
    Map<String, Map<String, String>> byDestination = new LinkedHashMap<>();
    records.forEach(r -> byDestination.put(r.get("destination") + " " + r.get("tag"), r));
    Map<String, String> lacking = byDestination.get(dst + "/plan/app:1 ");
    assertThat(lacking.get("error")).isEqualTo("missing");
    assertThat(lacking.get("sourceDigest")).isEqualTo(app.digest().toString());
    assertThat(lacking.get("digestBefore")).isEmpty();
    Map<String, String> differs = byDestination.get(dst + "/old:1 ");
    assertThat(differs.get("error")).startsWith("at ").endsWith("source at " + app.digest().shortHex());
    assertThat(differs.get("digestBefore")).startsWith("sha256:").isNotEqualTo(app.digest().toString());
    assertThat(byDestination.get(dst + "/planrepo v2").get("sourceDigest")).isEqualTo(other.digest().toString());
    // A dry run writes nothing, and copies nothing.
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), "plan/app", "1")).isEmpty();
  }

  @Test
  void anUnwritableReportIsOneLineAndExit1AfterTheSyncRan() throws IOException {
    assertThat(run("table", "put", src + "/app:1", dst + "/written:1").exitCode()).isZero();
    Path nowhere = out.resolve("no-such-dir").resolve("report.csv");

    Cli.Run run = sync("--report", nowhere.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().strip().lines()).singleElement().satisfies(line -> assertThat(line)
        .isEqualTo("controller sync: warning: report not written: cannot write " + nowhere
            + ": its directory does not exist (create it, or name another file)"));
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), "written", "1")).as("the sync still ran").isPresent();
    assertThat(run("table", "list").out()).contains("mirrored");
  }

  @Test
  void aReportNameWithoutAKnownExtensionIsBadUsageAndNothingIsChecked() {
    assertThat(run("table", "put", src + "/app:1", dst + "/unchecked:1").exitCode()).isZero();
    Cli.Run run = sync("--report", out.resolve("report.txt").toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--report", "report.txt", ".csv, .csv.gz, .json");
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), "unchecked", "1")).isEmpty();
  }

  /** Lines keyed {@code SOURCE[ TAG] -> DESTINATION}; each has every field of the schema. */
  static Map<String, JsonNode> byPlace(JsonNode array) {
    assertThat(array.isArray()).isTrue();
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (JsonNode line : array) {
      List<String> names = new ArrayList<>();
      line.fieldNames().forEachRemaining(names::add);
      assertThat(names).containsExactlyElementsOf(ReportLine.FIELDS);
      String tag = line.path("tag").isNull() ? "" : " " + line.path("tag").asText();
      out.put(line.path("source").asText() + tag + " -> " + line.path("destination").asText(), line);
    }
    return out;
  }

  static String gunzip(Path file) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Parses CSV with a header row (RFC 4180: quoted fields may hold commas, quotes and line breaks). */
  static List<Map<String, String>> csv(String text) {
    List<List<String>> records = new ArrayList<>();
    List<String> record = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        record.add(field.toString());
        field.setLength(0);
      } else if (c == '\n') {
        record.add(field.toString());
        field.setLength(0);
        records.add(record);
        record = new ArrayList<>();
      } else if (c != '\r') {
        field.append(c);
      }
    }
    assertThat(records).isNotEmpty();
    List<String> header = records.get(0);
    assertThat(header).containsExactlyElementsOf(ReportLine.FIELDS);
    List<Map<String, String>> out = new ArrayList<>();
    for (List<String> r : records.subList(1, records.size())) {
      assertThat(r).hasSameSizeAs(header);
      Map<String, String> m = new LinkedHashMap<>();
      for (int i = 0; i < header.size(); i++) {
        m.put(header.get(i), r.get(i));
      }
      out.add(m);
    }
    return out;
  }
}
