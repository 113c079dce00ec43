package dev.ecrmirror.controller.ecrtags;

import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.ref.InvalidReferenceException;
import dev.ecrmirror.common.tags.RuleSpec;
import dev.ecrmirror.common.tags.TagRules;
import dev.ecrmirror.controller.ecrtags.EcrRepositoryTags.TaggedRepository;
import dev.ecrmirror.controller.table.Attributes;
import dev.ecrmirror.controller.table.DerivedRow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Turns one ECR repository's resource tags into the mirror-table row that mirrors its upstream
 * into it. The row's key is {@code UPSTREAM#ecr:REPOSITORY_URI}, so two repositories mirroring the
 * same upstream never share a row. Bad values are written as given (the row's check then marks it
 * {@code invalid} with the reason) and reported as problems, so one bad repository stops nothing.
 */
public final class RowDerivation {
  /** The label that marks a key as derived from an ECR repository. */
  public static final String LABEL = "#ecr:";

  private RowDerivation() {}

  /**
   * The outcome for one repository.
   *
   * @param row the row to write, or empty when the repository does not ask for mirroring
   * @param problems one line each for what is wrong with its tags (the row is still written)
   */
  public record Derivation(Optional<DerivedRow> row, List<String> problems) {}

  /** Derives the row of one repository. */
  public static Derivation derive(TaggedRepository repository, EcrTagKeys keys) {
    Map<String, String> tags = repository.tags();
    String where = "ECR repository " + repository.arn();
    String opt = tags.get(keys.opt());
    if (opt != null && !opt.trim().equalsIgnoreCase("in")) {
      return new Derivation(Optional.empty(), List.of());
    }
    List<String> problems = new ArrayList<>();
    String source = tags.get(keys.source());
    boolean lambdaStyle = source != null;
    if (!lambdaStyle) {
      source = tags.get(keys.upstreamImage());
      if (source == null) {
        return new Derivation(Optional.empty(), List.of());
      }
    } else if (tags.containsKey(keys.upstreamImage())) {
      problems.add(where + ": both " + keys.source() + " and " + keys.upstreamImage() + " are set; using "
          + keys.source() + " and its " + keys.source().replaceFirst("_source$", "_*") + " tags");
    }
    source = source.trim();
    String sourceKey = keyOf(source, lambdaStyle ? keys.source() : keys.upstreamImage(), where, problems);

    Map<String, AttributeValue> rules = new HashMap<>();
    List<String> include = List.of();
    List<String> exclude = List.of();
    List<String> includeRls = List.of();
    List<String> excludeRls = List.of();
    Optional<String> constraint = Optional.empty();
    boolean releaseOnly = false;
    OptionalInt maxResults = OptionalInt.empty();
    if (lambdaStyle) {
      include = ruleList(tags, keys.includeTags(), Attributes.TAGS, rules, where, problems);
      exclude = ruleList(tags, keys.excludeTags(), Attributes.EXCLUDE_TAGS, rules, where, problems);
      includeRls = ruleList(tags, keys.includeRls(), Attributes.INCLUDE_PRERELEASES, rules, where, problems);
      excludeRls = ruleList(tags, keys.excludeRls(), Attributes.EXCLUDE_PRERELEASES, rules, where, problems);
      constraint = Optional.ofNullable(tags.get(keys.constraint())).map(String::trim).filter(s -> !s.isEmpty());
      if (constraint.isPresent() && !include.isEmpty() && !include.contains("*")) {
        // lambda-ecr-image-sync adds include_tags to what its constraint selects; Tags narrows, and
        // a tag named in it survives the constraint, so the same selection is "those tags, and *".
        include = new ArrayList<>(include);
        include.add("*");
        putList(rules, Attributes.TAGS, include);
      }
      constraint.ifPresent(c -> rules.put(Attributes.CONSTRAINT, AttributeValue.fromS(c)));
      String release = tags.get(keys.releaseOnly());
      if (release != null && !release.isBlank()) {
        String value = release.trim().toLowerCase(Locale.ROOT);
        if (value.equals("true") || value.equals("false")) {
          releaseOnly = value.equals("true");
          rules.put(Attributes.RELEASE_ONLY, AttributeValue.fromBool(releaseOnly));
        } else {
          problems.add(where + ": " + keys.releaseOnly() + " '" + release + "' is not true or false");
          rules.put(Attributes.RELEASE_ONLY, AttributeValue.fromS(release));
        }
      }
      String max = tags.get(keys.maxResults());
      if (max != null && !max.isBlank()) {
        Integer n = positiveInt(max.trim());
        if (n == null) {
          problems.add(where + ": " + keys.maxResults() + " '" + max + "' is not a positive integer");
          rules.put(Attributes.MAX_RESULTS, AttributeValue.fromS(max));
        } else {
          maxResults = OptionalInt.of(n);
          rules.put(Attributes.MAX_RESULTS, AttributeValue.fromN(Integer.toString(n)));
        }
      }
    } else {
      // ecr-mirror-sync: a '/'-separated tag list; '+' stands for '*', which tag values cannot hold.
      include = list(tags.get(keys.upstreamTags()), "/").stream().map(t -> t.replace('+', '*')).toList();
      putList(rules, Attributes.TAGS, include);
    }
    if (!rules.isEmpty() && !isBareRef(source)) {
      problems.add(where + ": " + (lambdaStyle ? keys.source() : keys.upstreamImage()) + " '" + source
          + "' names a tag or digest, but tag rules mirror a whole repository");
    }
    try {
      TagRules.of(new RuleSpec(include, exclude, constraint, includeRls, excludeRls, releaseOnly, maxResults));
    } catch (IllegalArgumentException e) {
      problems.add(where + ": " + e.getMessage());
    }
    DerivedRow row = new DerivedRow(sourceKey + LABEL + repository.uri(), repository.uri(), rules, repository.arn());
    return new Derivation(Optional.of(row), problems);
  }

  /** The normalized repository (Docker Hub names expanded) when the source parses, else the value as given. */
  private static String keyOf(String source, String key, String where, List<String> problems) {
    try {
      ImageReference ref = ImageReference.parse(source);
      return ref.isBare() ? ref.name() : ref.toString();
    } catch (InvalidReferenceException e) {
      problems.add(where + ": " + key + ": " + e.getMessage());
      return source;
    }
  }

  private static boolean isBareRef(String source) {
    try {
      return ImageReference.parse(source).isBare();
    } catch (InvalidReferenceException e) {
      return true;
    }
  }

  /**
   * A comma-separated list value, split as the table's rule attributes are (commas inside
   * {@code {a,b}} or a regex do not split) and written comma-joined; written as given, with a
   * problem, when it has an empty element.
   */
  private static List<String> ruleList(Map<String, String> tags, String key, String attribute,
      Map<String, AttributeValue> rules, String where, List<String> problems) {
    String value = tags.get(key);
    if (value == null || value.isBlank()) {
      return List.of();
    }
    try {
      List<String> elements = RuleSpec.splitList(key, value);
      putList(rules, attribute, elements);
      return elements;
    } catch (IllegalArgumentException e) {
      problems.add(where + ": " + e.getMessage());
      rules.put(attribute, AttributeValue.fromS(value));
      return List.of();
    }
  }

  private static List<String> list(String value, String separator) {
    if (value == null) {
      return List.of();
    }
    return Arrays.stream(value.split(java.util.regex.Pattern.quote(separator))).map(String::trim)
        .filter(s -> !s.isEmpty()).toList();
  }

  private static void putList(Map<String, AttributeValue> rules, String attribute, List<String> values) {
    if (!values.isEmpty()) {
      rules.put(attribute, AttributeValue.fromS(String.join(",", values)));
    }
  }

  private static Integer positiveInt(String value) {
    try {
      int n = Integer.parseInt(value);
      return n > 0 ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
