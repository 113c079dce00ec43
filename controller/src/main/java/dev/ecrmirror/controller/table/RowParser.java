package dev.ecrmirror.controller.table;

import static dev.ecrmirror.controller.table.Attributes.*;
import static dev.ecrmirror.controller.table.ItemReaders.instant;
import static dev.ecrmirror.controller.table.ItemReaders.string;
import static dev.ecrmirror.controller.table.ItemReaders.stringMap;

import dev.ecrmirror.common.ExistingTags;
import dev.ecrmirror.common.manifest.Platform;
import dev.ecrmirror.common.ref.DestinationPrefix;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.ref.InvalidReferenceException;
import dev.ecrmirror.common.tags.RuleSpec;
import dev.ecrmirror.common.tags.TagRules;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Reads table items in the aws-ecr-mirror format: {@code Destination} and {@code Platforms} as a
 * string (one value or several comma-separated), a string set or a list of strings; {@code Enabled}
 * as a boolean or the strings {@code true}/{@code false}.
 *
 * <p>The {@code Source} key may end in a label, {@code SOURCE#LABEL}: the reference is the part
 * before {@code #}, so one source can have several rows (two rule sets to different destinations,
 * say). A row carrying any tag rule ({@code Tags}, {@code ExcludeTags}, {@code Constraint},
 * {@code IncludePrereleases}, {@code ExcludePrereleases}, {@code ReleaseOnly}, {@code MaxResults}) is
 * a repository row: its source and destinations must be repositories, with no tag or digest.
 */
public final class RowParser {
  private RowParser() {}

  /** Parses one item; never throws: a row that cannot be understood comes back as an {@link InvalidRow}. */
  public static ParsedRow parse(Map<String, AttributeValue> item) {
    RowState state = state(item);
    AttributeValue keyValue = item.get(SOURCE);
    String key = keyValue != null && keyValue.s() != null ? keyValue.s() : "";
    try {
      if (key.isEmpty()) {
        throw new RowException("Source must be a non-empty string");
      }
      String sourceText = reference(key);
      if (sourceText.isEmpty() || sourceText.length() == key.length() - 1) {
        throw new RowException("Source '" + key + "' has an empty " + (sourceText.isEmpty() ? "reference" : "label")
            + " around '#': write SOURCE or SOURCE#LABEL");
      }
      ImageReference source = reference(SOURCE, sourceText);
      Optional<TagRules> rules = rules(item);
      if (rules.isPresent() && !source.isBare()) {
        throw new RowException("Source '" + sourceText + "' names a " + (source.digest().isPresent() ? "digest" : "tag")
            + ", but the row has tag rules (" + presentRules(item) + "), which mirror a whole repository: drop the "
            + (source.digest().isPresent() ? "digest" : "tag") + " from Source, or the rules");
      }
      List<String> written = strings(DESTINATION, item.get(DESTINATION));
      if (written.isEmpty()) {
        throw new RowException("Destination is missing or empty");
      }
      existingTags(item);
      boolean keepRegistry = bool(PREFIX_KEEPS_REGISTRY, item.get(PREFIX_KEEPS_REGISTRY), true);
      Map<String, Destination> destinations = new LinkedHashMap<>();
      for (String asWritten : written) {
        Destination destination;
        String d = asWritten;
        try {
          // A prefix ('…/mirror/') becomes the repository it names for this source: jobs get a plain reference.
          d = DestinationPrefix.resolve(asWritten, source, keepRegistry);
          destination = rules.isPresent() ? Destination.ofRepository(d) : Destination.of(d, source);
        } catch (InvalidReferenceException e) {
          throw new RowException("Destination: " + e.getMessage());
        }
        if (rules.isPresent() && !destination.target().isBare()) {
          throw new RowException("Destination '" + d + "' names a tag or digest, but the row has tag rules: "
              + "each selected tag goes to the same tag, so name the repository only");
        }
        if (rules.isPresent() ? destination.target().sameRepository(source) : destination.target().equals(source)) {
          throw new RowException("Destination '" + d + "' is the source itself");
        }
        destinations.putIfAbsent(destination.key(), destination);
      }
      List<Platform> platforms = new ArrayList<>();
      for (String p : strings(PLATFORMS, item.get(PLATFORMS))) {
        try {
          platforms.add(Platform.parse(p));
        } catch (IllegalArgumentException e) {
          throw new RowException("Platforms: " + e.getMessage());
        }
      }
      try {
        // Checked now, so a bad value makes the row invalid instead of failing its job.
        var settings = RowSettings.read(item);
        destinations.values().forEach(d -> settings.checkFor(d.target()));
      } catch (IllegalArgumentException e) {
        throw new RowException(e.getMessage());
      }
      boolean enabled = bool(ENABLED, item.get(ENABLED), true);
      referrers(item); // checked here, so a bad value makes the row invalid rather than its job fail
      return new MirrorRow(key, source, List.copyOf(destinations.values()), platforms, rules, enabled, state, item);
    } catch (RowException e) {
      return new InvalidRow(key, e.getMessage(), state, item);
    }
  }

  /**
   * The row's {@code ExistingTags} policy, {@code overwrite} when absent; throws {@link RowException}
   * for anything but one of the policy words as a string.
   */
  static ExistingTags existingTags(Map<String, AttributeValue> item) {
    AttributeValue value = item.get(EXISTING_TAGS);
    if (value == null || Boolean.TRUE.equals(value.nul())) {
      return ExistingTags.OVERWRITE;
    }
    if (value.s() == null) {
      throw new RowException(EXISTING_TAGS + " is a " + type(value) + "; expected the string overwrite, keep or backup");
    }
    try {
      return ExistingTags.parse(EXISTING_TAGS, value.s());
    } catch (IllegalArgumentException e) {
      throw new RowException(e.getMessage());
    }
  }

  /** The row's {@code Referrers} attribute: a boolean or the string true/false, true when absent. */
  static boolean referrers(Map<String, AttributeValue> item) {
    return bool(REFERRERS, item.get(REFERRERS), true);
  }

  /** The reference part of a {@code Source} key: everything before a {@code #LABEL} suffix. */
  public static String reference(String key) {
    int hash = key.indexOf('#');
    return hash < 0 ? key : key.substring(0, hash);
  }

  /** The row's tag rules, checked; empty when it carries none (a single-image row). */
  private static Optional<TagRules> rules(Map<String, AttributeValue> item) {
    RuleSpec spec = new RuleSpec(
        ruleList(TAGS, item.get(TAGS)),
        ruleList(EXCLUDE_TAGS, item.get(EXCLUDE_TAGS)),
        constraint(item.get(CONSTRAINT)),
        ruleList(INCLUDE_PRERELEASES, item.get(INCLUDE_PRERELEASES)),
        ruleList(EXCLUDE_PRERELEASES, item.get(EXCLUDE_PRERELEASES)),
        bool(RELEASE_ONLY, item.get(RELEASE_ONLY), false),
        maxResults(item.get(MAX_RESULTS)));
    boolean present = RULES.stream().anyMatch(a -> item.get(a) != null && !Boolean.TRUE.equals(item.get(a).nul()));
    if (!present) {
      return Optional.empty();
    }
    try {
      return Optional.of(TagRules.of(spec));
    } catch (IllegalArgumentException e) {
      throw new RowException(e.getMessage());
    }
  }

  private static String presentRules(Map<String, AttributeValue> item) {
    return String.join(", ", RULES.stream().filter(item::containsKey).toList());
  }

  /** A rule list: like {@link #strings}, but commas inside {@code {a,b}} or a regex do not split. */
  private static List<String> ruleList(String attribute, AttributeValue value) {
    List<String> out = new ArrayList<>();
    for (String element : elements(attribute, value)) {
      try {
        out.addAll(RuleSpec.splitList(attribute, element));
      } catch (IllegalArgumentException e) {
        throw new RowException(e.getMessage());
      }
    }
    return out;
  }

  /** {@code Constraint}: one expression (its commas are ANDs); a set or list of them is joined with commas. */
  private static Optional<String> constraint(AttributeValue value) {
    if (value == null || Boolean.TRUE.equals(value.nul())) {
      return Optional.empty();
    }
    List<String> parts = new ArrayList<>();
    if (value.s() != null) {
      parts.add(value.s());
    } else if (value.hasSs()) {
      parts.addAll(value.ss());
    } else if (value.hasL() && value.l().stream().allMatch(v -> v.s() != null)) {
      value.l().forEach(v -> parts.add(v.s()));
    } else {
      throw new RowException("Constraint is a " + type(value) + "; expected a string such as '>= 1.2, < 2.0'");
    }
    String joined = String.join(", ", parts.stream().map(String::trim).filter(p -> !p.isEmpty()).toList());
    if (joined.isEmpty()) {
      throw new RowException("Constraint is empty; write an expression such as '>= 1.2, < 2.0', or remove it");
    }
    return Optional.of(joined);
  }

  private static OptionalInt maxResults(AttributeValue value) {
    if (value == null || Boolean.TRUE.equals(value.nul())) {
      return OptionalInt.empty();
    }
    String text = value.n() != null ? value.n() : value.s();
    if (text == null) {
      throw new RowException("MaxResults is a " + type(value) + "; expected a number");
    }
    try {
      return OptionalInt.of(Integer.parseInt(text.trim()));
    } catch (NumberFormatException e) {
      throw new RowException("MaxResults is '" + text + "'; expected a whole number of 1 or more");
    }
  }

  private static ImageReference reference(String attribute, String value) {
    try {
      return ImageReference.parse(value);
    } catch (InvalidReferenceException e) {
      throw new RowException(attribute + ": " + e.getMessage());
    }
  }

  /** The values of a string, comma-separated string, string set or list of strings; empty when absent. */
  static List<String> strings(String attribute, AttributeValue value) {
    List<String> out = new ArrayList<>();
    elements(attribute, value).forEach(element -> split(element, out));
    return out;
  }

  /**
   * The strings an attribute holds, unsplit: the string itself, each member of a string set, or
   * each element of a list of strings; empty when absent. Any other type is a row problem.
   */
  private static List<String> elements(String attribute, AttributeValue value) {
    if (value == null || Boolean.TRUE.equals(value.nul())) {
      return List.of();
    }
    if (value.s() != null) {
      return List.of(value.s());
    }
    if (value.hasSs()) {
      return value.ss();
    }
    if (value.hasL()) {
      List<String> out = new ArrayList<>();
      for (AttributeValue element : value.l()) {
        if (element.s() == null) {
          throw new RowException(attribute + " is a list holding a " + type(element) + "; expected strings");
        }
        out.add(element.s());
      }
      return out;
    }
    throw new RowException(attribute + " is a " + type(value)
        + "; expected a string, a comma-separated string, a string set or a list of strings");
  }

  private static void split(String value, List<String> out) {
    for (String part : value.split(",")) {
      String trimmed = part.trim();
      if (!trimmed.isEmpty()) {
        out.add(trimmed);
      }
    }
  }

  private static boolean bool(String attribute, AttributeValue value, boolean absent) {
    if (value == null || Boolean.TRUE.equals(value.nul())) {
      return absent;
    }
    if (value.bool() != null) {
      return value.bool();
    }
    if (value.s() != null) {
      String s = value.s().trim().toLowerCase(Locale.ROOT);
      if (s.equals("true")) {
        return true;
      }
      if (s.equals("false")) {
        return false;
      }
      throw new RowException(attribute + " is the string '" + value.s() + "'; expected true or false");
    }
    throw new RowException(attribute + " is a " + type(value) + "; expected a boolean or the string true/false");
  }

  /** Reads the controller's own attributes, ignoring any it cannot read (they are rewritten on the next check). */
  static RowState state(Map<String, AttributeValue> item) {
    return new RowState(
        string(item, STATUS).flatMap(RowStatus::ofLabel),
        string(item, SOURCE_DIGEST),
        stringMap(item, DESTINATION_DIGESTS),
        instant(item, CHECKED_AT),
        instant(item, MIRRORED_AT),
        string(item, JOB_ID),
        string(item, LAST_ERROR),
        string(item, CLAIM_TOKEN),
        string(item, CLAIMED_DIGEST),
        string(item, MIRRORED_SOURCE_DIGEST),
        stringMap(item, MIRRORED_DIGESTS),
        string(item, MIRRORED_PLATFORMS),
        Optional.of(ItemReaders.number(item, LEASE_UNTIL)).filter(ms -> ms != 0).map(Instant::ofEpochMilli),
        (int) ItemReaders.number(item, ATTEMPTS),
        instant(item, NEXT_ATTEMPT_AT),
        stringMap(item, DESTINATION_ERRORS));
  }

  /** The DynamoDB type name of a value, for messages. */
  static String type(AttributeValue value) {
    return switch (value.type()) {
      case S -> "string";
      case N -> "number";
      case B -> "binary";
      case SS -> "string set";
      case NS -> "number set";
      case BS -> "binary set";
      case M -> "map";
      case L -> "list";
      case BOOL -> "boolean";
      case NUL -> "null";
      default -> "value of unknown type";
    };
  }

  /** A row-level problem, caught inside the parser. */
  private static final class RowException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RowException(String message) {
      super(message, null, false, false);
    }
  }
}
