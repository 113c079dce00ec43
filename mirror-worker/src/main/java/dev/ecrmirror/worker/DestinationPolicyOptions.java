package dev.ecrmirror.worker;

import dev.ecrmirror.common.ExistingTags;
import java.time.Clock;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The worker's options for what happens at a destination beyond the copy itself: the existing-tag
 * policy and how a prefix destination is named, as a picocli mixin built with the programmatic API
 * (the worker reads no annotations; see {@code WorkerOptions}).
 */
final class DestinationPolicyOptions {
  private final OptionSpec existingTags = OptionSpec.builder("--existing-tags")
      .paramLabel("overwrite|keep|backup").type(String.class).defaultValue("overwrite")
      .description("A destination tag that holds another digest: overwrite it (default); keep it (nothing written "
          + "there, a conflict: exit 4); or backup: tag the old digest with --backup-tag first, then overwrite. "
          + "(The job definition passes Ref::existing.)")
      .build();

  private final OptionSpec backupTag = OptionSpec.builder("--backup-tag")
      .paramLabel("TEMPLATE").type(String.class).defaultValue(ExistingTagPolicy.DEFAULT_BACKUP_TAG)
      .description("The backup tag of --existing-tags backup: {tag} is the tag, {time} the run's start "
          + "(UTC, yyyyMMddTHHmmssZ). Default: ${DEFAULT-VALUE}.")
      .build();

  private final OptionSpec prefixKeepsRegistry = OptionSpec.builder("--prefix-keeps-registry")
      .type(boolean.class).negatable(true).defaultValue("true").fallbackValue("true")
      .description("A DEST ending in '/' is a prefix: the repository is the prefix, the source's registry and its "
          + "path (REG/mirror/ + docker.io/library/nginx -> REG/mirror/docker.io/library/nginx; default). "
          + "--no-prefix-keeps-registry drops the registry (REG/mirror/library/nginx).")
      .build();

  private final CommandSpec mixin = CommandSpec.create()
      .addOption(existingTags)
      .addOption(backupTag)
      .addOption(prefixKeepsRegistry);

  /** The options, to add to a command as a mixin; they hold the values parsed for it. */
  CommandSpec mixin() {
    return mixin;
  }

  /** The policy asked for, timed by {@code clock} now; throws {@link IllegalArgumentException} naming a bad value. */
  ExistingTagPolicy existingTags(Clock clock) {
    ExistingTags mode = ExistingTags.parse("--existing-tags", existingTags.getValue());
    return new ExistingTagPolicy(mode, backupTag.getValue(), clock.instant());
  }

  /** Whether a prefix destination keeps the source's registry in its path. */
  boolean prefixKeepsRegistry() {
    return prefixKeepsRegistry.getValue();
  }
}
