package dev.ecrmirror.common;

import java.util.Locale;

/**
 * What a copy does to a destination tag that already holds another digest: the {@code ExistingTags}
 * row attribute and the worker's {@code --existing-tags}. A tag already at the digest being copied is
 * never touched, whatever the policy.
 */
public enum ExistingTags {
  /** Point the tag at the new digest (the default; what a plain push does). */
  OVERWRITE,
  /**
   * Never move the tag: copy only where it is absent, and report a tag holding another digest as a
   * {@link FailureKind#CONFLICT}, writing nothing there (image-syncer's tamper alarm).
   */
  KEEP,
  /** Tag the old digest with a backup tag first, then point the tag at the new digest (as regsync does). */
  BACKUP;

  /** The word users write: {@code overwrite}, {@code keep} or {@code backup}. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The policy a user wrote, in any case; throws {@link IllegalArgumentException} naming the value
   * and the accepted words, prefixed with {@code where} (e.g. {@code ExistingTags} or {@code --existing-tags}).
   */
  public static ExistingTags parse(String where, String value) {
    String word = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
    for (ExistingTags p : values()) {
      if (p.word().equals(word)) {
        return p;
      }
    }
    throw new IllegalArgumentException(where + " '" + value + "' is not a policy: write overwrite (the default), "
        + "keep (never move a tag that exists) or backup (tag the old digest TAG-backup-TIME first)");
  }
}
