package dev.ecrmirror.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.LocalRegistry;
import dev.ecrmirror.common.testing.RegistryContents;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.common.testing.TestImages.Pushed;
import dev.ecrmirror.worker.MirrorWorkerIT.Run;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The existing-tag policy, prefix destinations and digest-pinned sources, through the worker CLI
 * against real registries: what each destination tag holds afterwards, byte for byte.
 */
class ExistingTagsIT {
  private static final AtomicInteger REPO = new AtomicInteger();

  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(3);

  private static LocalRegistry src() {
    return registries.get(0);
  }

  private static LocalRegistry dst() {
    return registries.get(1);
  }

  private static String freshRepo() {
    return "policy/app" + REPO.incrementAndGet();
  }

  private static Pushed image(LocalRegistry registry, String repo, String tag, long seed) {
    return new TestImages(registry.baseUri(), seed).ociIndex(repo, tag, List.of("linux/amd64", "linux/arm64"), 2, 10_000);
  }

  private static Digest digestAt(LocalRegistry registry, String repo, String tag) {
    return RegistryContents.manifest(registry.baseUri(), repo, tag).orElseThrow(
        () -> new AssertionError(registry.host() + "/" + repo + ":" + tag + " is missing")).digest();
  }

  private static JsonNode json(Run run) {
    try {
      return new ObjectMapper().readTree(run.out());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + run.out() + run.err(), e);
    }
  }

  @Test
  void keepLeavesATagHoldingAnotherDigestAloneAndReportsAConflictWhileAnAbsentTagIsCopied() {
    String repo = freshRepo();
    Pushed wanted = image(src(), repo, "1.0", 1);
    Pushed theirs = image(dst(), repo, "1.0", 2);

    Run run = MirrorWorkerIT.run("--json", "--existing-tags", "keep", src().host() + "/" + repo + ":1.0",
        dst().host() + "/" + repo + ":1.0", registries.get(2).host() + "/" + repo + ":1.0");

    assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(4);
    JsonNode kept = json(run).at("/destinations/0");
    assertThat(kept.at("/status").asText()).isEqualTo("failed");
    assertThat(kept.at("/kind").asText()).isEqualTo("conflict");
    assertThat(kept.at("/error").asText()).contains(theirs.digest().toString(), wanted.digest().toString(), "keep")
        .doesNotContain("\n");
    assertThat(digestAt(dst(), repo, "1.0")).as("nothing written over the kept tag").isEqualTo(theirs.digest());
    assertThat(RegistryContents.tags(dst().baseUri(), repo)).containsExactly("1.0");
    assertThat(json(run).at("/destinations/1/status").asText()).isEqualTo("copied");
    assertThat(RegistryContents.differences(src().baseUri(), repo, registries.get(2).baseUri(), repo, "1.0")).isEmpty();

    // Once the destination holds the source digest, keep is in sync: no conflict, nothing pushed.
    Run again = MirrorWorkerIT.run("--existing-tags", "keep", src().host() + "/" + repo + ":1.0",
        registries.get(2).host() + "/" + repo + ":1.0");
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).contains("in sync");
  }

  @Test
  void backupTagsTheOldDigestThenMovesTheTag() {
    String repo = freshRepo();
    Pushed wanted = image(src(), repo, "2.1", 3);
    Pushed old = image(dst(), repo, "2.1", 4);

    Run run = MirrorWorkerIT.run("--existing-tags", "backup", src().host() + "/" + repo + ":2.1",
        dst().host() + "/" + repo + ":2.1");

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertThat(digestAt(dst(), repo, "2.1")).isEqualTo(wanted.digest());
    assertThat(RegistryContents.differences(src().baseUri(), repo, dst().baseUri(), repo, "2.1")).isEmpty();
    List<String> backups = RegistryContents.tags(dst().baseUri(), repo).stream().filter(t -> !t.equals("2.1")).toList();
    assertThat(backups).singleElement().asString().matches("2\\.1-backup-\\d{8}T\\d{6}Z");
    assertThat(digestAt(dst(), repo, backups.getFirst())).as("the old image is still reachable").isEqualTo(old.digest());
    // Byte for byte, children and blobs included: the old image is whole under its backup tag.
    assertThat(RegistryContents.manifest(dst().baseUri(), repo, backups.getFirst()).orElseThrow().bytes())
        .isEqualTo(RegistryContents.manifest(dst().baseUri(), repo, old.digest().toString()).orElseThrow().bytes());
  }

  @Test
  void backupTakesATemplateAndABadOneIsAUsageError() {
    String repo = freshRepo();
    Pushed wanted = image(src(), repo, "3", 5);
    Pushed old = image(dst(), repo, "3", 6);

    Run run = MirrorWorkerIT.run("--existing-tags", "backup", "--backup-tag", "old-{tag}",
        src().host() + "/" + repo + ":3", dst().host() + "/" + repo + ":3");

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertThat(digestAt(dst(), repo, "3")).isEqualTo(wanted.digest());
    assertThat(digestAt(dst(), repo, "old-3")).isEqualTo(old.digest());

    Run bad = MirrorWorkerIT.run("--existing-tags", "backup", "--backup-tag", "{time}",
        src().host() + "/" + repo + ":3", dst().host() + "/" + repo + ":3");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err().strip()).contains("--backup-tag '{time}'", "{tag}").doesNotContain("\n");
    Run unknown = MirrorWorkerIT.run("--existing-tags", "sometimes", src().host() + "/" + repo + ":3",
        dst().host() + "/" + repo + ":3");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err().strip()).contains("--existing-tags 'sometimes'", "overwrite", "keep", "backup")
        .doesNotContain("\n");
  }

  @Test
  void overwriteIsTheDefaultAndReplacesTheTag() {
    String repo = freshRepo();
    Pushed wanted = image(src(), repo, "4", 7);
    image(dst(), repo, "4", 8);

    Run run = MirrorWorkerIT.run(src().host() + "/" + repo + ":4", dst().host() + "/" + repo + ":4");

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertThat(digestAt(dst(), repo, "4")).isEqualTo(wanted.digest());
    assertThat(RegistryContents.tags(dst().baseUri(), repo)).containsExactly("4");
  }

  @Test
  void pinnedRepositoryRunsApplyThePolicyPerTag() {
    String repo = freshRepo();
    Pushed a = image(src(), repo, "a", 9);
    Pushed b = image(src(), repo, "b", 10);
    Pushed theirsA = image(dst(), repo, "a", 11);
    Pushed oldB = image(registries.get(2), repo, "b", 12);
    String pins = "a@" + a.digest() + ",b@" + b.digest();

    Run keep = MirrorWorkerIT.run("--json", "--existing-tags", "keep", "--pin", pins, src().host() + "/" + repo,
        dst().host() + "/" + repo);
    assertThat(keep.exit()).as(keep.out() + keep.err()).isEqualTo(4);
    assertThat(digestAt(dst(), repo, "a")).isEqualTo(theirsA.digest());
    assertThat(digestAt(dst(), repo, "b")).as("a tag the destination lacks is copied").isEqualTo(b.digest());
    assertThat(json(keep).at("/tags/0/destinations/0/kind").asText()).isEqualTo("conflict");

    Run backup = MirrorWorkerIT.run("--existing-tags", "backup", "--pin", pins, src().host() + "/" + repo,
        registries.get(2).host() + "/" + repo);
    assertThat(backup.exit()).as(backup.out() + backup.err()).isZero();
    assertThat(digestAt(registries.get(2), repo, "b")).isEqualTo(b.digest());
    assertThat(digestAt(registries.get(2), repo, "a")).isEqualTo(a.digest());
    List<String> backups = RegistryContents.tags(registries.get(2).baseUri(), repo).stream()
        .filter(t -> t.contains("-backup-")).toList();
    assertThat(backups).singleElement().asString().startsWith("b-backup-");
    assertThat(digestAt(registries.get(2), repo, backups.getFirst())).isEqualTo(oldB.digest());
  }

  @Test
  void aPrefixDestinationTakesTheSourcePathWithItsRegistryOrWithout() {
    String repo = freshRepo();
    Pushed wanted = image(src(), repo, "5", 13);
    String registryComponent = src().host().replace(':', '-'); // 127.0.0.1-PORT

    Run run = MirrorWorkerIT.run(src().host() + "/" + repo + ":5", dst().host() + "/mirror/");
    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).contains(dst().host() + "/mirror/" + registryComponent + "/" + repo + ":5");
    assertThat(RegistryContents.differences(src().baseUri(), repo, dst().baseUri(),
        "mirror/" + registryComponent + "/" + repo, "5")).isEmpty();
    assertThat(digestAt(dst(), "mirror/" + registryComponent + "/" + repo, "5")).isEqualTo(wanted.digest());

    Run dropped = MirrorWorkerIT.run("--no-prefix-keeps-registry", src().host() + "/" + repo + ":5",
        registries.get(2).host() + "/mirror/");
    assertThat(dropped.exit()).as(dropped.out() + dropped.err()).isZero();
    assertThat(digestAt(registries.get(2), "mirror/" + repo, "5")).isEqualTo(wanted.digest());

    Run bad = MirrorWorkerIT.run(src().host() + "/" + repo + ":5", dst().host() + "/Mirror/");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err().strip()).contains(dst().host() + "/Mirror/", "prefix").doesNotContain("\n");
  }

  @Test
  void aDigestPinnedSourceLandsUnderTheTagTheDestinationNames() {
    String repo = freshRepo();
    Pushed wanted = image(src(), repo, "moving", 14);
    image(src(), repo, "moving", 15); // the tag moved on; the digest still names the first image

    Run run = MirrorWorkerIT.run(src().host() + "/" + repo + "@" + wanted.digest(),
        dst().host() + "/" + repo + ":1.32.0-v1");

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertThat(digestAt(dst(), repo, "1.32.0-v1")).isEqualTo(wanted.digest());
    assertThat(RegistryContents.differences(src().baseUri(), repo, dst().baseUri(), repo, wanted.digest().toString()))
        .isEmpty();
    assertThat(RegistryContents.tags(dst().baseUri(), repo)).containsExactly("1.32.0-v1");
  }
}
