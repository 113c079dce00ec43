package dev.ecrmirror.controller.cli;

import dev.ecrmirror.common.tags.RuleSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import picocli.CommandLine.Option;

/**
 * The tag-rule options of {@code table put} (the same words as the table's rule attributes, in
 * kebab case); each list option may be repeated or comma-separated.
 */
final class RuleOptions {
  @Option(names = "--tags", paramLabel = "PATTERNS", description = "Mirror the tags matching any pattern: a glob "
      + "(* ** ? {a,b}), regex:PATTERN, or a literal tag. Makes the row a repository row.")
  List<String> tags = new ArrayList<>();

  @Option(names = "--exclude-tags", paramLabel = "PATTERNS", description = "Leave out the tags matching any pattern.")
  List<String> excludeTags = new ArrayList<>();

  @Option(names = "--constraint", paramLabel = "EXPR", description = "Only versions matching this constraint, e.g. '>= 1.2, < 2.0' or '~> 2.0'.")
  String constraint;

  @Option(names = "--include-prereleases", paramLabel = "KEYWORDS",
      description = "Let pre-releases with these keywords through a constraint (e.g. debian).")
  List<String> includePrereleases = new ArrayList<>();

  @Option(names = "--exclude-prereleases", paramLabel = "KEYWORDS", description = "Leave out pre-releases with these keywords (e.g. rc).")
  List<String> excludePrereleases = new ArrayList<>();

  @Option(names = "--release-only", description = "Only tags without a pre-release.")
  boolean releaseOnly;

  @Option(names = "--max-results", paramLabel = "N", description = "Of what is left, only the newest N versions.")
  Integer maxResults;

  /** The rules as given; list options are split on commas outside braces and brackets. */
  RuleSpec toSpec() {
    return new RuleSpec(split("--tags", tags), split("--exclude-tags", excludeTags), Optional.ofNullable(constraint),
        split("--include-prereleases", includePrereleases), split("--exclude-prereleases", excludePrereleases),
        releaseOnly, maxResults == null ? OptionalInt.empty() : OptionalInt.of(maxResults));
  }

  private static List<String> split(String option, List<String> values) {
    List<String> out = new ArrayList<>();
    for (String v : values) {
      try {
        out.addAll(RuleSpec.splitList(option, v));
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
    }
    return out;
  }
}
