package dev.ecrmirror.controller.table;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A set of changes to a row's system attributes. Only the controller's own attributes can be
 * named, so a status write can never overwrite what the user wrote.
 */
public final class StatusUpdate {
  private final Map<String, AttributeValue> sets = new LinkedHashMap<>();
  private final Set<String> removes = new LinkedHashSet<>();

  public StatusUpdate status(RowStatus status) {
    return put(Attributes.STATUS, AttributeValue.fromS(status.label()));
  }

  public StatusUpdate set(String attribute, String value) {
    return value == null ? remove(attribute) : put(attribute, AttributeValue.fromS(value));
  }

  public StatusUpdate set(String attribute, Instant value) {
    return set(attribute, value.toString());
  }

  public StatusUpdate set(String attribute, Map<String, String> value) {
    Map<String, AttributeValue> m = new LinkedHashMap<>();
    value.forEach((k, v) -> m.put(k, AttributeValue.fromS(v)));
    return put(attribute, AttributeValue.fromM(m));
  }

  public StatusUpdate set(String attribute, long value) {
    return put(attribute, AttributeValue.fromN(Long.toString(value)));
  }

  public StatusUpdate remove(String attribute) {
    check(attribute);
    sets.remove(attribute);
    removes.add(attribute);
    return this;
  }

  private StatusUpdate put(String attribute, AttributeValue value) {
    check(attribute);
    removes.remove(attribute);
    sets.put(attribute, value);
    return this;
  }

  private static void check(String attribute) {
    if (!Attributes.SYSTEM.contains(attribute)) {
      throw new IllegalArgumentException(attribute + " is not a controller attribute");
    }
  }

  Map<String, AttributeValue> sets() {
    return Collections.unmodifiableMap(sets);
  }

  Set<String> removes() {
    return Collections.unmodifiableSet(removes);
  }
}
