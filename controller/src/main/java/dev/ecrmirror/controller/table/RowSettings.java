package dev.ecrmirror.controller.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecrmirror.common.aws.RepositorySettings;
import java.math.BigDecimal;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Reads a row's {@code RepositorySettings}: the JSON form as a string, or a DynamoDB map of the same
 * fields (what a console user writes), converted to JSON and checked alike.
 */
final class RowSettings {
  private RowSettings() {}

  /** The row's settings; none when absent. Throws {@link IllegalArgumentException} with one line for a bad value. */
  static RepositorySettings read(Map<String, AttributeValue> item) {
    AttributeValue v = item.get(Attributes.REPOSITORY_SETTINGS);
    if (v == null || Boolean.TRUE.equals(v.nul())) {
      return RepositorySettings.none();
    }
    if (v.s() != null) {
      return RepositorySettings.parse(Attributes.REPOSITORY_SETTINGS, v.s());
    }
    if (v.hasM()) {
      return RepositorySettings.fromJson(Attributes.REPOSITORY_SETTINGS, json(v));
    }
    throw new IllegalArgumentException(Attributes.REPOSITORY_SETTINGS
        + " must be a string holding a JSON object, or a map, e.g. {\"mode\":\"refresh\"}");
  }

  private static JsonNode json(AttributeValue v) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (v.s() != null) {
      return f.textNode(v.s());
    }
    if (v.bool() != null) {
      return f.booleanNode(v.bool());
    }
    if (v.n() != null) {
      return f.numberNode(new BigDecimal(v.n()));
    }
    if (v.hasM()) {
      ObjectNode o = f.objectNode();
      v.m().forEach((k, x) -> o.set(k, json(x)));
      return o;
    }
    if (v.hasL()) {
      var a = f.arrayNode();
      v.l().forEach(x -> a.add(json(x)));
      return a;
    }
    if (v.hasSs()) {
      var a = f.arrayNode();
      v.ss().forEach(a::add);
      return a;
    }
    return f.nullNode();
  }
}
