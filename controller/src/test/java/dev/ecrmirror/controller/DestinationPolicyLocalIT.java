package dev.ecrmirror.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.LocalRegistry;
import dev.ecrmirror.common.testing.RegistryContents;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.common.testing.TestImages.Pushed;
import dev.ecrmirror.controller.testing.Cli;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Destination policy in local mode, end to end: {@code table put} with {@code --existing-tags} and
 * prefix destinations, then {@code sync} copying with the worker's engine into real registries.
 */
class DestinationPolicyLocalIT {
  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(2);

  @TempDir
  Path data;

  private Cli.Run run(String... args) {
    return Cli.local(data, args);
  }

  private static LocalRegistry src() {
    return registries.get(0);
  }

  private static LocalRegistry dst() {
    return registries.get(1);
  }

  private static Pushed image(LocalRegistry registry, String repo, String tag, long seed) {
    return new TestImages(registry.baseUri(), seed).ociIndex(repo, tag, List.of("linux/amd64", "linux/arm64"), 1, 4_000);
  }

  private static Digest digestAt(LocalRegistry registry, String repo, String tag) {
    return RegistryContents.manifest(registry.baseUri(), repo, tag).orElseThrow(
        () -> new AssertionError(registry.host() + "/" + repo + ":" + tag + " is missing")).digest();
  }

  private JsonNode row(String source) throws Exception {
    Cli.Run list = run("table", "list", "--json");
    assertThat(list.exitCode()).as(list.err()).isZero();
    for (String line : list.out().strip().split("\n")) {
      JsonNode r = new ObjectMapper().readTree(line);
      if (r.path("Source").asText().equals(source)) {
        return r;
      }
    }
    throw new AssertionError("no row " + source + " in " + list.out());
  }

  @Test
  void keepEndsTheRowConflictWithTheDestinationUntouchedAndTheNextSyncSubmitsNothing() throws Exception {
    Pushed wanted = image(src(), "keep/app", "1.0", 1);
    Pushed theirs = image(dst(), "keep/app", "1.0", 2);
    String source = src().host() + "/keep/app:1.0";
    Cli.Run put = run("table", "put", "--existing-tags", "keep", source, dst().host() + "/keep/app");
    assertThat(put.exitCode()).as(put.err()).isZero();
    assertThat(put.out()).contains("ExistingTags=keep");

    Cli.Run first = run("sync");
    assertThat(first.exitCode()).as(first.out() + first.err()).isEqualTo(1);
    JsonNode row = row(source);
    assertThat(row.path("MirrorStatus").asText()).isEqualTo("conflict");
    assertThat(row.path("ExistingTags").asText()).isEqualTo("keep");
    assertThat(row.path("LastError").asText()).contains(theirs.digest().toString(), "ExistingTags=keep");
    assertThat(digestAt(dst(), "keep/app", "1.0")).isEqualTo(theirs.digest()).isNotEqualTo(wanted.digest());

    // The source has not moved: the conflict stands, no job is started for it again.
    String job = row.path("JobId").asText();
    Cli.Run second = run("sync");
    assertThat(second.exitCode()).isEqualTo(1);
    assertThat(row(source).path("MirrorStatus").asText()).isEqualTo("conflict");
    assertThat(row(source).path("JobId").asText()).isEqualTo(job);
    assertThat(digestAt(dst(), "keep/app", "1.0")).isEqualTo(theirs.digest());
  }

  @Test
  void backupKeepsTheOldDigestUnderABackupTagAndMirrorsTheRow() throws Exception {
    Pushed wanted = image(src(), "backup/app", "2", 3);
    Pushed old = image(dst(), "backup/app", "2", 4);
    String source = src().host() + "/backup/app:2";
    assertThat(run("table", "put", "--existing-tags", "backup", source, dst().host() + "/backup/app").exitCode()).isZero();

    Cli.Run sync = run("sync");
    assertThat(sync.exitCode()).as(sync.out() + sync.err()).isZero();
    assertThat(row(source).path("MirrorStatus").asText()).isIn("mirrored", "in sync");
    assertThat(digestAt(dst(), "backup/app", "2")).isEqualTo(wanted.digest());
    List<String> backups = RegistryContents.tags(dst().baseUri(), "backup/app").stream().filter(t -> !t.equals("2")).toList();
    assertThat(backups).singleElement().asString().matches("2-backup-\\d{8}T\\d{6}Z");
    assertThat(digestAt(dst(), "backup/app", backups.getFirst())).isEqualTo(old.digest());
  }

  @Test
  void overwriteIsTheDefault() throws Exception {
    Pushed wanted = image(src(), "plain/app", "3", 5);
    image(dst(), "plain/app", "3", 6);
    String source = src().host() + "/plain/app:3";
    assertThat(run("table", "put", source, dst().host() + "/plain/app").exitCode()).isZero();

    assertThat(run("sync").exitCode()).isZero();
    assertThat(digestAt(dst(), "plain/app", "3")).isEqualTo(wanted.digest());
    assertThat(RegistryContents.tags(dst().baseUri(), "plain/app")).containsExactly("3");
    assertThat(row(source).has("ExistingTags")).isFalse();
  }

  @Test
  void aPrefixDestinationLandsAtTheDerivedRepositoryAndStaysInSync() throws Exception {
    Pushed wanted = image(src(), "team/tool", "v1", 7);
    String source = src().host() + "/team/tool:v1";
    String derived = "mirror/" + src().host().replace(':', '-') + "/team/tool";
    assertThat(run("table", "put", source, dst().host() + "/mirror/").exitCode()).isZero();
    String shorter = source + "#short";
    assertThat(run("table", "put", "--no-prefix-keeps-registry", shorter, dst().host() + "/short/").exitCode()).isZero();

    Cli.Run first = run("sync");
    assertThat(first.exitCode()).as(first.out() + first.err()).isZero();
    assertThat(digestAt(dst(), derived, "v1")).isEqualTo(wanted.digest());
    assertThat(RegistryContents.differences(src().baseUri(), "team/tool", dst().baseUri(), derived, "v1")).isEmpty();
    assertThat(digestAt(dst(), "short/team/tool", "v1")).as("without the registry").isEqualTo(wanted.digest());
    assertThat(row(source).path("DestinationDigests").path(dst().host() + "/" + derived + ":v1").asText())
        .isEqualTo(wanted.digest().toString());

    Cli.Run second = run("sync");
    assertThat(second.exitCode()).as(second.out() + second.err()).isZero();
    assertThat(second.out()).contains("2 in sync").doesNotContain("mirrored");
  }

  @Test
  void aDigestPinnedSourceGoesToTheTagTheDestinationNames() throws Exception {
    Pushed wanted = image(src(), "pinned/busybox", "1.32.0", 8);
    image(src(), "pinned/busybox", "1.32.0", 9); // the source tag moved on
    String source = src().host() + "/pinned/busybox@" + wanted.digest();
    Cli.Run put = run("table", "put", source, dst().host() + "/pinned/busybox:1.32.0-v1");
    assertThat(put.exitCode()).as(put.err()).isZero();

    assertThat(run("sync").exitCode()).isZero();
    assertThat(digestAt(dst(), "pinned/busybox", "1.32.0-v1")).isEqualTo(wanted.digest());
    assertThat(RegistryContents.tags(dst().baseUri(), "pinned/busybox")).containsExactly("1.32.0-v1");
    assertThat(run("sync").out()).contains("1 in sync");
  }

  @Test
  void badPolicyInputIsOneLineAtTablePut() {
    Cli.Run bad = run("table", "put", "--existing-tags", "never", "alpine:3", "127.0.0.1:5000/alpine");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err().strip()).startsWith("controller table put: --existing-tags 'never' is not a policy")
        .doesNotContain("\n");
    Cli.Run badPrefix = run("table", "put", "alpine:3", "127.0.0.1:5000/Mirror/");
    assertThat(badPrefix.exitCode()).isEqualTo(2);
    assertThat(badPrefix.err().strip()).contains("127.0.0.1:5000/Mirror/", "prefix").doesNotContain("\n");
  }
}
