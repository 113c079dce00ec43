package dev.ecrmirror.worker;

import dev.ecrmirror.common.tags.RuleSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The tag rule options ({@code --tags}, {@code --exclude-tags}, {@code --constraint}, ...) as a
 * picocli mixin built with the programmatic API, turned into a {@link RuleSpec} by {@link #toSpec}.
 * The worker's own copy until the shared one in {@code common/cli} lands; the two have one shape.
 */
final class TagRuleCliOptions {
  private final OptionSpec tags = OptionSpec.builder("--tags")
      .paramLabel("PATTERN[,PATTERN...]").type(List.class).auxiliaryTypes(String.class)
      .description("Mirror the source's tags matching any pattern (repeatable): globs (*, **, ?, {a,b}), "
          + "regex:PATTERN, or a literal tag. The source and every DEST are then repositories.")
      .build();

  private final OptionSpec excludeTags = OptionSpec.builder("--exclude-tags")
      .paramLabel("PATTERN[,PATTERN...]").type(List.class).auxiliaryTypes(String.class)
      .description("Leave out tags matching any pattern (repeatable).")
      .build();

  private final OptionSpec constraint = OptionSpec.builder("--constraint")
      .paramLabel("CONSTRAINT").type(String.class)
      .description("Only versions meeting this constraint, e.g. '>= 1.25', '~> 2.0', '-ge v1.1.1'.")
      .build();

  private final OptionSpec includePrereleases = OptionSpec.builder("--include-prereleases")
      .paramLabel("KEYWORD[,KEYWORD...]").type(List.class).auxiliaryTypes(String.class)
      .description("Let pre-releases with these keywords through a constraint (repeatable).")
      .build();

  private final OptionSpec excludePrereleases = OptionSpec.builder("--exclude-prereleases")
      .paramLabel("KEYWORD[,KEYWORD...]").type(List.class).auxiliaryTypes(String.class)
      .description("Leave out pre-releases with these keywords (repeatable).")
      .build();

  private final OptionSpec releaseOnly = OptionSpec.builder("--release-only")
      .type(boolean.class).initialValue(false)
      .description("Only tags without a pre-release.")
      .build();

  private final OptionSpec maxResults = OptionSpec.builder("--max-results")
      .paramLabel("N").type(Integer.class)
      .description("Of what is left, the newest N versions (and the literal tags named in --tags).")
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
  CommandSpec mixin() {
    return mixin;
  }

  /** The rules as given; {@link RuleSpec#isEmpty} when none was. Not yet checked: see {@code TagRules.of}. */
  RuleSpec toSpec() {
    String c = constraint.getValue();
    Integer max = maxResults.getValue();
    return new RuleSpec(patterns(tags), patterns(excludeTags),
        c == null || c.isBlank() ? Optional.empty() : Optional.of(c.trim()),
        keywords(includePrereleases), keywords(excludePrereleases), releaseOnly.getValue(),
        max == null ? OptionalInt.empty() : OptionalInt.of(max));
  }

  /** Patterns, split at commas outside braces ({@code {a,b}} is one glob); a {@code regex:} value is kept whole. */
  private static List<String> patterns(OptionSpec option) {
    List<String> given = option.getValue();
    List<String> out = new ArrayList<>();
    if (given == null) {
      return out;
    }
    for (String value : given) {
      if (value.startsWith("regex:")) {
        out.add(value);
        continue;
      }
      int depth = 0;
      StringBuilder current = new StringBuilder();
      for (char ch : value.toCharArray()) {
        if (ch == ',' && depth == 0) {
          addTrimmed(out, current.toString());
          current.setLength(0);
          continue;
        }
        depth += ch == '{' ? 1 : ch == '}' && depth > 0 ? -1 : 0;
        current.append(ch);
      }
      addTrimmed(out, current.toString());
    }
    return out;
  }

  private static List<String> keywords(OptionSpec option) {
    List<String> given = option.getValue();
    List<String> out = new ArrayList<>();
    if (given != null) {
      for (String value : given) {
        for (String one : value.split(",")) {
          addTrimmed(out, one);
        }
      }
    }
    return out;
  }

  private static void addTrimmed(List<String> out, String value) {
    if (!value.isBlank()) {
      out.add(value.trim());
    }
  }
}
