package dev.ecrmirror.controller.table;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A row that cannot be understood; {@code reason} names the attribute and the problem. */
public record InvalidRow(String key, String reason, RowState state, Map<String, AttributeValue> item)
    implements ParsedRow {}
