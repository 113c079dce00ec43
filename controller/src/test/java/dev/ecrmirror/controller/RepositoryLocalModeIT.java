package dev.ecrmirror.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryOptions;
import dev.ecrmirror.common.tags.TagLister;
import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.RegistryContents;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.controller.local.LocalMode;
import dev.ecrmirror.controller.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Repository rows in local mode end to end, through the CLI: a source repository of a few dozen
 * tags on a real registry, rows with each kind of rule, copies by the worker's engine in process,
 * the mirror and tag tables in the embedded DynamoDB Local.
 */
class RepositoryLocalModeIT {
  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(2);

  @TempDir
  Path data;

  static final ObjectMapper JSON = new ObjectMapper();

  Cli.Run run(String... args) {
    return Cli.local(data, args);
  }

  @Test
  void eachRuleMirrorsExactlyItsTagsAndTheNextSyncPushesNothing() throws Exception {
    String src = registries.get(0).host();
    String dst = registries.get(1).host();
    TestImages images = new TestImages(registries.get(0).baseUri(), 21);
    // A few images under many tags: the tags share their layers, as a real repository's do.
    TestImages.Pushed index = images.ociIndex("app", "3.0.0", List.of("linux/amd64", "linux/arm64"), 2, 2048);
    TestImages.Pushed a = images.image("app", "linux", "amd64", "", false, 2, 2048);
    TestImages.Pushed b = images.image("app", "linux", "amd64", "", true, 2, 2048);
    TestImages.Pushed c = images.image("app", "linux", "arm64", "v8", true, 1, 2048);
    List<String> tagsA = List.of("0.9.0", "0.9.1", "1.0.0", "1.1.0", "1.2.0", "1.2.1", "1.2.3.4", "v1.0.0", "v1.1.0",
        "v1.2.0", "1.2.0-debian-12", "20241101");
    List<String> tagsB = List.of("2.0.0", "2.0.1", "2.2.0", "2.3.0", "v2.0.0", "v2.1.0", "2.1.0-rc.1",
        "2.0.0-debian-12", "latest", "edge", "stable");
    List<String> tagsC = List.of("3.0.0-debian-12", "3.1.0-rc.1", "nightly-20241101", "nightly-20241102");
    tagsA.forEach(t -> images.tag("app", t, a));
    tagsB.forEach(t -> images.tag("app", t, b));
    tagsC.forEach(t -> images.tag("app", t, c));
    // A cosign signature tag: it belongs to another image and no rule selects it.
    images.tag("app", "sha256-" + "e".repeat(64) + ".sig", c);

    put(src + "/app", dst + "/glob", "--tags", "1.*");
    put(src + "/app#v1", dst + "/v1", "--tags", "v*", "--exclude-tags", "v2.*");
    put(src + "/app#two", dst + "/two", "--constraint", ">= 2.0, < 3.0");
    put(src + "/app#debian", dst + "/debian", "--constraint", ">= 2.0", "--include-prereleases", "debian",
        "--exclude-prereleases", "rc");
    put(src + "/app#newest", dst + "/newest", "--release-only", "--max-results", "2");
    Map<String, Set<String>> expected = new TreeMap<>(Map.of(
        "glob", Set.of("1.0.0", "1.1.0", "1.2.0", "1.2.1", "1.2.3.4", "1.2.0-debian-12"),
        "v1", Set.of("v1.0.0", "v1.1.0", "v1.2.0"),
        "two", Set.of("2.0.0", "2.0.1", "2.2.0", "2.3.0", "v2.0.0", "v2.1.0"),
        "debian", Set.of("2.0.0", "2.0.1", "2.2.0", "2.3.0", "v2.0.0", "v2.1.0", "3.0.0", "2.0.0-debian-12",
            "3.0.0-debian-12"),
        "newest", Set.of("3.0.0", "2.3.0")));
    // A row whose rule cannot be parsed: table put refuses it; written behind its back, the sync marks it invalid.
    Cli.Run refused = run("table", "put", "--constraint", ">= banana", src + "/app#bad", dst + "/bad");
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.err().strip()).contains("banana").doesNotContain("\n");
    try (Tables t = tables()) {
      t.dynamo().putItem(p -> p.tableName("ecr-mirror").item(Map.of("Source", AttributeValue.fromS(src + "/app#bad"),
          "Destination", AttributeValue.fromS(dst + "/bad"), "Constraint", AttributeValue.fromS(">= banana"))));
    }

    Cli.Run first = run("sync");
    assertThat(first.exitCode()).as(first.out() + first.err()).isEqualTo(1);
    assertThat(first.out()).contains("5 mirrored", "1 invalid", "banana");
    for (Map.Entry<String, Set<String>> e : expected.entrySet()) {
      assertThat(tags(dst + "/" + e.getKey())).as(e.getKey()).containsExactlyInAnyOrderElementsOf(e.getValue());
      for (String tag : e.getValue()) {
        assertThat(RegistryContents.differences(registries.get(0).baseUri(), "app", registries.get(1).baseUri(),
            e.getKey(), tag)).as(e.getKey() + ":" + tag).isEmpty();
      }
    }
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), "newest", "3.0.0").orElseThrow().digest())
        .isEqualTo(index.digest());

    Map<String, Map<String, AttributeValue>> tagItems = tagItems();
    Map<String, String> storage = storage(registries.get(1).storage());
    Cli.Run second = run("sync");
    assertThat(second.exitCode()).as(second.out() + second.err()).isEqualTo(1);
    assertThat(second.out()).contains("5 in sync", "1 invalid").doesNotContain("mirrored");
    assertThat(storage(registries.get(1).storage())).as("nothing pushed to the destination registry").isEqualTo(storage);
    assertThat(tagItems()).as("no tag item written").isEqualTo(tagItems);

    // A new release: the globs and constraints that match it take it; the newest-2 row keeps 2.3.0.
    TestImages.Pushed d = images.image("app", "linux", "amd64", "", true, 1, 2048);
    images.tag("app", "3.2.0", d);
    images.tag("app", "1.3.0", d);
    Cli.Run third = run("sync");
    assertThat(third.out()).contains("3 mirrored", "2 in sync");
    assertThat(tags(dst + "/newest")).containsExactlyInAnyOrder("3.2.0", "3.0.0", "2.3.0");
    assertThat(tags(dst + "/glob")).contains("1.3.0");
    assertThat(tags(dst + "/debian")).contains("3.2.0");
    assertThat(RegistryContents.differences(registries.get(0).baseUri(), "app", registries.get(1).baseUri(),
        "newest", "3.2.0")).isEmpty();

    Cli.Run list = run("table", "list");
    assertThat(list.out()).contains(src + "/app#newest", "2 tags: 2 in sync, 0 drifted, 0 failed",
        "7 tags: 7 in sync, 0 drifted, 0 failed", "banana");
    Map<String, JsonNode> rows = new TreeMap<>();
    for (String line : run("table", "list", "--json").out().strip().split("\n")) {
      JsonNode row = JSON.readTree(line);
      rows.put(row.path("Source").asText(), row);
    }
    JsonNode newest = rows.get(src + "/app#newest");
    assertThat(newest.path("MirrorStatus").asText()).isEqualTo("mirrored");
    assertThat(newest.path("TagsSelected").asInt()).isEqualTo(2);
    assertThat(newest.path("Rules").path("MaxResults").asInt()).isEqualTo(2);
    assertThat(newest.path("Rules").path("ReleaseOnly").asBoolean()).isTrue();
    List<String> listed = new ArrayList<>();
    newest.path("Tags").forEach(t -> listed.add(t.path("Tag").asText()));
    assertThat(listed).containsExactly("3.0.0", "3.2.0");
    assertThat(newest.path("Tags").get(1).path("DestinationDigests").path(dst + "/newest").asText())
        .isEqualTo(d.digest().toString());
    assertThat(rows.get(src + "/app#bad").path("MirrorStatus").asText()).isEqualTo("invalid");
    assertThat(rows.get(src + "/app#bad").path("Problem").asText()).contains("banana");

    // Deleting a repository row deletes its tag states too; its copies stay.
    assertThat(run("table", "delete", src + "/app#newest").exitCode()).isZero();
    assertThat(tagItems().keySet()).noneMatch(k -> k.startsWith(src + "/app#newest "));
    assertThat(tags(dst + "/newest")).contains("3.2.0");
  }

  void put(String source, String destination, String... rules) {
    List<String> args = new ArrayList<>(List.of("table", "put"));
    args.addAll(List.of(rules));
    args.add(source);
    args.add(destination);
    Cli.Run put = run(args.toArray(String[]::new));
    assertThat(put.exitCode()).as(put.err()).isZero();
  }

  static Set<String> tags(String repository) {
    return new HashSet<>(new TagLister(new RegistryClient(RegistryOptions.defaults()), Optional.empty()).list(ImageReference.parse(repository)).tags());
  }

  /** Every file under the registry's repositories with its modification time: a push changes some. */
  static Map<String, String> storage(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        out.put(root.relativize(f).toString(), Files.getLastModifiedTime(f) + " " + Files.size(f));
      }
    }
    return out;
  }

  /** The local tables, opened between CLI runs (each run opens and closes its own DynamoDB Local). */
  record Tables(LocalMode db, DynamoDbClient dynamo) implements AutoCloseable {
    @Override
    public void close() {
      db.close();
    }
  }

  Tables tables() {
    LocalMode db = LocalMode.open(data, "RepositoryLocalModeIT", Duration.ZERO, note -> { });
    return new Tables(db, db.dynamo());
  }

  Map<String, Map<String, AttributeValue>> tagItems() {
    try (Tables t = tables()) {
      Map<String, Map<String, AttributeValue>> out = new TreeMap<>();
      t.dynamo().scanPaginator(s -> s.tableName("ecr-mirror-tags")).items()
          .forEach(i -> out.put(i.get("Source").s() + " " + i.get("Tag").s(), i));
      assertThat(out).isNotEmpty();
      return out;
    }
  }
}
