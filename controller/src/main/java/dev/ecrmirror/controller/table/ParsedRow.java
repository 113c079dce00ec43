package dev.ecrmirror.controller.table;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A table row as read: either understood ({@link MirrorRow}) or not ({@link InvalidRow}). */
public sealed interface ParsedRow permits MirrorRow, InvalidRow {
  /** The {@code Source} key exactly as stored. */
  String key();

  /** What the controller last wrote on the row. */
  RowState state();

  /** Every attribute as stored, for listings. */
  Map<String, AttributeValue> item();
}
