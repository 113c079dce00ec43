package dev.ecrmirror.controller.table;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Lenient readers of the controller's own attributes on a DynamoDB item, shared by the row and tag-state parsers. */
final class ItemReaders {
  private ItemReaders() {}

  /** The attribute's string value; empty when it is missing or not a string. */
  static Optional<String> string(Map<String, AttributeValue> item, String name) {
    AttributeValue v = item.get(name);
    return v == null ? Optional.empty() : Optional.ofNullable(v.s());
  }

  /**
   * The attribute as an ISO-8601 instant; empty when it is missing or does not parse, since a stale or
   * hand-edited timestamp must not make the whole item unreadable.
   */
  static Optional<Instant> instant(Map<String, AttributeValue> item, String name) {
    try {
      return string(item, name).map(Instant::parse);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** The attribute as a whole number; 0 when it is missing or not a number. */
  static long number(Map<String, AttributeValue> item, String name) {
    AttributeValue v = item.get(name);
    try {
      return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The string entries of a map attribute; empty when it is missing or not a map, skipping non-string values. */
  static Map<String, String> stringMap(Map<String, AttributeValue> item, String name) {
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
}
