package dev.ecrmirror.worker;

import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The worker's referrer options ({@code --[no-]referrers}, {@code --referrers-only},
 * {@code --referrers-type}) as a picocli mixin built with the programmatic API, like the others.
 */
final class ReferrerCliOptions {
  private final OptionSpec referrers = OptionSpec.builder("--referrers")
      .type(boolean.class).negatable(true).arity("0..1").defaultValue("true").fallbackValue("true")
      .paramLabel("true|false")
      .description("Copy what refers to each copied image (default): cosign's sha256-<hex>.sig/.att/.sbom tags, "
          + "the referrers tag schema's sha256-<hex> index, and what the OCI referrers API lists, for the index "
          + "and each platform manifest. --no-referrers (or --referrers false, what the job passes) copies the "
          + "image alone.")
      .build();

  private final OptionSpec only = OptionSpec.builder("--referrers-only")
      .type(boolean.class).initialValue(false)
      .description("Copy only the referrers of the image each DEST already holds (signatures added at the "
          + "source since it was mirrored); the image itself is checked, not copied.")
      .build();

  private final OptionSpec types = OptionSpec.builder("--referrers-type")
      .paramLabel("[!]TYPE[,...]").type(List.class).auxiliaryTypes(String.class)
      .description("Copy only referrers of these artifact types, or with '!' all but these (repeatable, "
          + "comma-separated; a trailing * matches a prefix), e.g. '!application/spdx+json'.")
      .build();

  private final CommandSpec mixin = CommandSpec.create().addOption(referrers).addOption(only).addOption(types);

  /** The options, to add to a command as a mixin; they hold the values parsed for it. */
  CommandSpec mixin() {
    return mixin;
  }

  /** The policy the options give; throws {@link IllegalArgumentException} naming a bad value. */
  ReferrerPolicy policy() {
    List<String> given = types.getValue();
    return ReferrerPolicy.of(referrers.getValue(), only.getValue(), given == null ? List.of() : given);
  }
}
