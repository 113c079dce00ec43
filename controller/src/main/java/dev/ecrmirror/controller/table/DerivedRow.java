package dev.ecrmirror.controller.table;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A row definition derived from outside the table (an ECR repository's tags), as written by
 * {@link MirrorTable#putDerived}: its key, destination, tag-rule attributes and origin.
 *
 * @param key the {@code Source} key, e.g. {@code docker.io/library/nginx#ecr:1234….amazonaws.com/mirror/nginx}
 * @param destination the {@code Destination} value
 * @param rules the tag-rule attributes it sets (names from {@link Attributes#RULES}); the others are removed
 * @param origin the {@code Origin}: what the row was derived from (an ECR repository ARN)
 */
public record DerivedRow(String key, String destination, Map<String, AttributeValue> rules, String origin) {
  public DerivedRow {
    for (String name : rules.keySet()) {
      if (!Attributes.RULES.contains(name)) {
        throw new IllegalArgumentException(name + " is not a tag-rule attribute");
      }
    }
    rules = Collections.unmodifiableMap(new TreeMap<>(rules));
  }
}
