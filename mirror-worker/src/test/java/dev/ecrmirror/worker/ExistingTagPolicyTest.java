package dev.ecrmirror.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecrmirror.common.ExistingTags;
import dev.ecrmirror.common.FailureKind;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ExistingTagPolicyTest {
  private static final Instant AT = Instant.parse("2025-03-04T05:06:07.890Z");

  @Test
  void theDefaultBackupTagCarriesTheRunsUtcTime() {
    ExistingTagPolicy policy = new ExistingTagPolicy(ExistingTags.BACKUP, ExistingTagPolicy.DEFAULT_BACKUP_TAG, AT);
    assertThat(policy.backupTag("1.32.0")).isEqualTo("1.32.0-backup-20250304T050607Z");
    assertThat(new ExistingTagPolicy(ExistingTags.BACKUP, "{time}.{tag}", AT).backupTag("v1"))
        .isEqualTo("20250304T050607Z.v1");
  }

  @Test
  void aLongTagIsCutSoItsBackupTagFits() {
    ExistingTagPolicy policy = new ExistingTagPolicy(ExistingTags.BACKUP, ExistingTagPolicy.DEFAULT_BACKUP_TAG, AT);
    String backup = policy.backupTag("t".repeat(128));
    assertThat(backup).hasSize(128).endsWith("-backup-20250304T050607Z").startsWith("ttt");
  }

  @Test
  void aTemplateMustMakeATagOfItsOwnForEachTag() {
    assertThatThrownBy(() -> new ExistingTagPolicy(ExistingTags.BACKUP, "backup-{time}", AT))
        .hasMessageContaining("lacks {tag}");
    assertThatThrownBy(() -> new ExistingTagPolicy(ExistingTags.BACKUP, "{tag}", AT))
        .hasMessageContaining("does not make a tag of its own");
    assertThatThrownBy(() -> new ExistingTagPolicy(ExistingTags.BACKUP, "{tag}/{time}", AT))
        .hasMessageContaining("does not make a tag of its own");
    assertThatThrownBy(() -> new ExistingTagPolicy(ExistingTags.BACKUP, "{tag}-{date}", AT))
        .hasMessageContaining("placeholder other than");
  }

  @Test
  void onlyKeepRefusesAndOnlyATagHoldingAnotherDigest() {
    ImageReference dest = ImageReference.parse("127.0.0.1:5000/app:1");
    Digest a = Digest.sha256(new byte[] {1});
    Digest b = Digest.sha256(new byte[] {2});
    ExistingTagPolicy keep = new ExistingTagPolicy(ExistingTags.KEEP, ExistingTagPolicy.DEFAULT_BACKUP_TAG, AT);
    assertThat(keep.refusal(dest, a, b)).hasValueSatisfying(f -> {
      assertThat(f.kind()).isEqualTo(FailureKind.CONFLICT);
      assertThat(f.message()).contains(a.toString(), b.toString(), "ExistingTags=keep");
    });
    assertThat(keep.refusal(dest, a, a)).isEmpty();
    assertThat(keep.refusal(ImageReference.parse("127.0.0.1:5000/app@" + a), a, b)).as("a digest destination has no tag to keep").isEmpty();
    assertThat(ExistingTagPolicy.overwrite().refusal(dest, a, b)).isEmpty();
  }

  @Test
  void policiesParseInAnyCaseAndABadOneNamesTheChoices() {
    assertThat(ExistingTags.parse("ExistingTags", " Keep ")).isEqualTo(ExistingTags.KEEP);
    assertThatThrownBy(() -> ExistingTags.parse("ExistingTags", "never"))
        .hasMessageStartingWith("ExistingTags 'never' is not a policy")
        .hasMessageContaining("overwrite").hasMessageContaining("backup");
  }
}
