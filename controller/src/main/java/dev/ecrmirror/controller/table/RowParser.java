package dev.ecrmirror.controller.table;

import static dev.ecrmirror.controller.table.Attributes.*;

import dev.ecrmirror.common.manifest.Platform;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.ref.InvalidReferenceException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Reads table items in the aws-ecr-mirror format: {@code Destination} and {@code Platforms} as a
 * string (one value or several comma-separated), a string set or a list of strings; {@code Enabled}
 * as a boolean or the strings {@code true}/{@code false}.
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
      ImageReference source = reference(SOURCE, key);
      List<String> written = strings(DESTINATION, item.get(DESTINATION));
      if (written.isEmpty()) {
        throw new RowException("Destination is missing or empty");
      }
      Map<String, Destination> destinations = new LinkedHashMap<>();
      for (String d : written) {
        Destination destination;
        try {
          destination = Destination.of(d, source);
        } catch (InvalidReferenceException e) {
          throw new RowException("Destination: " + e.getMessage());
        }
        if (destination.target().equals(source)) {
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
      boolean enabled = enabled(item.get(ENABLED));
      return new MirrorRow(key, source, List.copyOf(destinations.values()), platforms, enabled, state, item);
    } catch (RowException e) {
      return new InvalidRow(key, e.getMessage(), state, item);
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
    if (value == null || Boolean.TRUE.equals(value.nul())) {
      return out;
    }
    if (value.s() != null) {
      split(value.s(), out);
    } else if (value.hasSs()) {
      value.ss().forEach(s -> split(s, out));
    } else if (value.hasL()) {
      for (AttributeValue element : value.l()) {
        if (element.s() == null) {
          throw new RowException(attribute + " is a list holding a " + type(element) + "; expected strings");
        }
        split(element.s(), out);
      }
    } else {
      throw new RowException(attribute + " is a " + type(value)
          + "; expected a string, a comma-separated string, a string set or a list of strings");
    }
    return out;
  }

  private static void split(String value, List<String> out) {
    for (String part : value.split(",")) {
      String trimmed = part.trim();
      if (!trimmed.isEmpty()) {
        out.add(trimmed);
      }
    }
  }

  private static boolean enabled(AttributeValue value) {
    if (value == null || Boolean.TRUE.equals(value.nul())) {
      return true;
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
      throw new RowException("Enabled is the string '" + value.s() + "'; expected true or false");
    }
    throw new RowException("Enabled is a " + type(value) + "; expected a boolean or the string true/false");
  }

  /** Reads the controller's own attributes, ignoring any it cannot read (they are rewritten on the next check). */
  static RowState state(Map<String, AttributeValue> item) {
    return new RowState(
        string(item, STATUS).flatMap(RowStatus::ofLabel),
        string(item, SOURCE_DIGEST),
        map(item, DESTINATION_DIGESTS),
        instant(item, CHECKED_AT),
        instant(item, MIRRORED_AT),
        string(item, JOB_ID),
        string(item, LAST_ERROR),
        string(item, CLAIM_TOKEN),
        string(item, CLAIMED_DIGEST),
        string(item, MIRRORED_SOURCE_DIGEST),
        map(item, MIRRORED_DIGESTS),
        string(item, MIRRORED_PLATFORMS));
  }

  private static Optional<String> string(Map<String, AttributeValue> item, String name) {
    AttributeValue v = item.get(name);
    return v == null ? Optional.empty() : Optional.ofNullable(v.s());
  }

  private static Optional<Instant> instant(Map<String, AttributeValue> item, String name) {
    try {
      return string(item, name).map(Instant::parse);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static Map<String, String> map(Map<String, AttributeValue> item, String name) {
    AttributeValue v = item.get(name);
    Map<String, String> out = new HashMap<>();
    if (v != null && v.hasM()) {
      v.m().forEach((k, value) -> {
        if (value.s() != null) {
          out.put(k, value.s());
        }
      });
    }
    return out;
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
