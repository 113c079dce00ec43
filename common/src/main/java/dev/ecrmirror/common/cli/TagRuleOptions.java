package dev.ecrmirror.common.cli;

import dev.ecrmirror.common.tags.Constraint;
import dev.ecrmirror.common.tags.RuleSpec;
import dev.ecrmirror.common.tags.TagPattern;
import dev.ecrmirror.common.tags.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.TypeConversionException;

/**
 * The tag rule options ({@code --tags}, {@code --constraint}, {@code --max-results}, ...), the same
 * words as the table's rule attributes in kebab case. Built with picocli's programmatic API for the
 * reason {@link RegistryCliOptions} gives; each value is checked as it is parsed, so a bad one is a
 * usage error naming the option. Annotated commands include it with {@code @Mixin CommandSpec rules = tagRules.mixin();}.
 */
public final class TagRuleOptions {
  private final OptionSpec tags = listOption("--tags", "PATTERN[,PATTERN...]", TagPattern::parse,
      "Mirror the tags matching any of these (repeatable, comma-separated): a tag, a glob (*, **, ?, "
          + "{a,b}, [abc]) or regex:PATTERN (a Java regex matching the whole tag). Default: every tag.");

  private final OptionSpec excludeTags = listOption("--exclude-tags", "PATTERN[,PATTERN...]", TagPattern::parse,
      "Leave out the tags matching any of these (repeatable, comma-separated; syntax as --tags).");

  private final OptionSpec constraint = OptionSpec.builder("--constraint")
      .paramLabel("EXPR").type(String.class)
      .converters(checked(Constraint::parse))
      .description("Keep versions meeting this constraint, e.g. '>= 1.25', '~> 2.0', '>= v3.0, < v5.0' or "
          + "'-ge v1.1.1'. Tags that are not versions (latest, 20261101) never meet one; nor do pre-releases "
          + "(1.2.0-rc.1, 1.2-debian-12) unless --include-prereleases names them.")
      .build();

  private final OptionSpec includePrereleases = listOption("--include-prereleases", "KEYWORD[,KEYWORD...]",
      Version::checkKeyword,
      "Let pre-releases with one of these keywords meet --constraint, checked by their version without the "
          + "pre-release (1.3.0-debian-12 as 1.3.0). A keyword matches a '-' or '.' separated part of the "
          + "pre-release that starts with it, ignoring case.");

  private final OptionSpec excludePrereleases = listOption("--exclude-prereleases", "KEYWORD[,KEYWORD...]",
      Version::checkKeyword, "Leave out pre-releases with one of these keywords (e.g. rc,beta,alpha).");

  private final OptionSpec releaseOnly = OptionSpec.builder("--release-only")
      .type(boolean.class).initialValue(false)
      .description("Leave out every pre-release (1.2.0-rc.1, 1.2-debian-12).")
      .build();

  private final OptionSpec maxResults = OptionSpec.builder("--max-results")
      .paramLabel("N").type(Integer.class)
      .converters(TagRuleOptions::positive)
      .description("Keep the newest N versions and drop the tags that are not versions, except tags named "
          + "literally in --tags.")
      .build();

  private final CommandSpec mixin = CommandSpec.create()
      .addOption(tags)
      .addOption(excludeTags)
      .addOption(constraint)
      .addOption(includePrereleases)
      .addOption(excludePrereleases)
      .addOption(releaseOnly)
      .addOption(maxResults);

  /** The options, to add to a command as a mixin; they hold the values parsed for it. */
  public CommandSpec mixin() {
    return mixin;
  }

  /** The rules these options give; {@link RuleSpec#isEmpty()} when none was used. */
  public RuleSpec toSpec() {
    Integer max = maxResults.getValue();
    return new RuleSpec(entries(tags), entries(excludeTags), Optional.ofNullable(constraint.getValue()),
        entries(includePrereleases), entries(excludePrereleases), releaseOnly.getValue(),
        max == null ? OptionalInt.empty() : OptionalInt.of(max));
  }

  /** A repeatable, comma-separated option whose every entry {@code check} accepts. */
  private static OptionSpec listOption(String name, String label, Consumer<String> check, String description) {
    return OptionSpec.builder(name)
        .paramLabel(label).type(List.class).auxiliaryTypes(String.class)
        .converters(value -> {
          for (String entry : splitOrReject(value)) {
            checked(check).convert(entry);
          }
          return value;
        })
        .description(description)
        .build();
  }

  private static List<String> splitOrReject(String value) {
    if (value.isBlank()) {
      throw new TypeConversionException("empty value");
    }
    try {
      return RuleSpec.splitList("list", value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }

  /** A converter that keeps the text once {@code check} accepts it; picocli names the option in the error. */
  private static ITypeConverter<String> checked(Consumer<String> check) {
    return value -> {
      try {
        check.accept(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("'" + value + "': " + e.getMessage());
      }
      return value;
    };
  }

  private static Integer positive(String value) {
    int n;
    try {
      n = Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + value + "' is not a whole number");
    }
    if (n <= 0) {
      throw new TypeConversionException("must be 1 or more, not " + n);
    }
    return n;
  }

  private static List<String> entries(OptionSpec option) {
    List<String> given = option.getValue();
    List<String> out = new ArrayList<>();
    if (given != null) {
      for (String value : given) {
        out.addAll(RuleSpec.splitList("list", value));
      }
    }
    return out;
  }
}
