package dev.ecrmirror.worker;

import dev.ecrmirror.common.ExistingTags;
import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.FailureKind;
import dev.ecrmirror.common.Failures;
import dev.ecrmirror.common.manifest.Manifest;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What one copy run does to a destination tag that holds another digest: overwrite it, keep it (a
 * conflict, nothing written), or back the old digest up under a tag made from a template first.
 *
 * @param mode the policy
 * @param backupTemplate the backup tag: {@code {tag}} (required) and {@code {time}} (the run's start,
 *     UTC, {@code yyyyMMddTHHmmssZ}) are replaced; default {@value #DEFAULT_BACKUP_TAG}
 * @param time the run's start: every backup of one run carries the same time
 */
public record ExistingTagPolicy(ExistingTags mode, String backupTemplate, Instant time) {
  /** The backup tag regsync writes, with a sortable UTC time: {@code 1.2-backup-20250101T120000Z}. */
  public static final String DEFAULT_BACKUP_TAG = "{tag}-backup-{time}";

  /** A time as the backup tag writes it, for checking a template without formatting one. */
  private static final String SAMPLE_TIME = "20000101T000000Z";
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  private static final int MAX_TAG = 128;

  public ExistingTagPolicy {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(time, "time");
    if (!backupTemplate.contains("{tag}")) {
      throw new IllegalArgumentException("--backup-tag '" + backupTemplate + "' lacks {tag}: every tag needs a "
          + "backup of its own, e.g. " + DEFAULT_BACKUP_TAG);
    }
    String unknown = backupTemplate.replace("{tag}", "").replace("{time}", "");
    if (unknown.contains("{") || unknown.contains("}")) {
      throw new IllegalArgumentException("--backup-tag '" + backupTemplate + "' has a placeholder other than "
          + "{tag} and {time}");
    }
    // Checked with a sample time: formatting a real one loads java.time's formatting on every run,
    // and most runs never back anything up.
    String sample = backupTemplate.replace("{time}", SAMPLE_TIME).replace("{tag}", "x");
    if (!TAG.matcher(sample).matches() || sample.equals("x")) {
      throw new IllegalArgumentException("--backup-tag '" + backupTemplate + "' does not make a tag of its own "
          + "(letters, digits, '_', '.', '-'; at most 128; different from {tag}), e.g. " + DEFAULT_BACKUP_TAG);
    }
  }

  /** Today's behaviour: a tag holding another digest is overwritten. */
  public static ExistingTagPolicy overwrite() {
    return new ExistingTagPolicy(ExistingTags.OVERWRITE, DEFAULT_BACKUP_TAG, Instant.EPOCH);
  }

  /** {@code mode} with the default backup tag, timed by {@code clock} now. */
  public static ExistingTagPolicy of(ExistingTags mode, Clock clock) {
    return new ExistingTagPolicy(mode, DEFAULT_BACKUP_TAG, clock.instant());
  }

  /**
   * The tag {@code tag}'s old digest is backed up under. A tag too long for the result to fit 128
   * characters is cut short inside it, so a long tag still gets its backup.
   */
  public String backupTag(String tag) {
    String full = expand(backupTemplate, tag, time);
    if (full.length() <= MAX_TAG) {
      return full;
    }
    return expand(backupTemplate, tag.substring(0, tag.length() - (full.length() - MAX_TAG)), time);
  }

  private static String expand(String template, String tag, Instant time) {
    return template.replace("{time}", Formats.TIME.format(time)).replace("{tag}", tag);
  }

  /** The backup tag's time format, built on first use. */
  private static final class Formats {
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  }

  /**
   * Under {@code keep}, why {@code destination} (a tag that {@code holds} another digest than
   * {@code wanted}) must not be written: a conflict. Empty under the other policies.
   */
  Optional<Failure> refusal(ImageReference destination, Digest holds, Digest wanted) {
    if (mode != ExistingTags.KEEP || destination.tag().isEmpty() || holds.equals(wanted)) {
      return Optional.empty();
    }
    return Optional.of(new Failure(FailureKind.CONFLICT, destination + " holds " + holds + ", not " + wanted
        + ", and existing tags are kept (ExistingTags=keep): nothing written; remove or move that tag at the "
        + "destination to let the copy through, or use overwrite or backup"));
  }

  /** True when a tag holding another digest is backed up before it is overwritten. */
  boolean backsUp() {
    return mode == ExistingTags.BACKUP;
  }

  /**
   * Tags {@code holds}, the digest the destination tag points at now, with its backup tag in the same
   * repository: its manifest is read there by digest and put back byte for byte under the new tag, so
   * everything it references is already in place. Throws what the registry answered when it fails;
   * the caller then leaves the tag alone.
   */
  void backUp(RegistryClient client, ImageReference destination, Digest holds) {
    String tag = destination.tag().orElseThrow();
    String backup = backupTag(tag);
    try {
      Manifest old = client.getManifest(destination, holds.toString());
      client.putManifest(destination.withTag(backup), backup, old);
    } catch (RuntimeException e) {
      throw new IllegalStateException("back up " + destination + " (" + holds + ") as tag " + backup
          + " failed, so the tag was not overwritten: " + Failures.describe(e), e);
    }
  }
}
