package dev.ecrmirror.controller.table;

import static dev.ecrmirror.controller.table.Attributes.SOURCE;
import static dev.ecrmirror.controller.table.Attributes.SOURCE_REPOSITORY;

import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.ref.InvalidReferenceException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;

/**
 * The mirror table's global secondary index on {@code SourceRepository} (the normalized
 * {@code registry/repository} of a row's source), which finds the rows a push touches without a scan.
 *
 * <p>The index holds keys only: the rows are then read with a consistent {@code BatchGetItem}, since
 * an index read may lag the status writes a claim depends on.
 */
final class SourceIndex {
  /** The index name; also what the CDK table declares. */
  static final String NAME = "SourceRepository";
  /** BatchGetItem takes at most this many keys per request. */
  private static final int BATCH = 100;
  /** Rounds of unprocessed keys (throttling) before the lookup gives up. */
  private static final int MAX_ROUNDS = 8;

  private SourceIndex() {}

  /**
   * The index value of a row key ({@code SOURCE} or {@code SOURCE#LABEL}): its reference's
   * {@code registry/repository} as {@link ImageReference} normalizes it; empty when it does not parse
   * (an invalid row, which no push can touch).
   */
  static Optional<String> valueOf(String key) {
    try {
      return Optional.of(ImageReference.parse(RowParser.reference(key)).name());
    } catch (InvalidReferenceException e) {
      return Optional.empty();
    }
  }

  /** The index as created in local mode: keys only, on-demand like its table. */
  static GlobalSecondaryIndex definition() {
    return GlobalSecondaryIndex.builder().indexName(NAME)
        .keySchema(KeySchemaElement.builder().attributeName(SOURCE_REPOSITORY).keyType(KeyType.HASH).build())
        .projection(Projection.builder().projectionType(ProjectionType.KEYS_ONLY).build())
        .build();
  }

  /**
   * True when a query of the index failed because a table deployed by an older stack has none: the
   * index does not exist, or the controller's role (granted on the table alone) may not query it.
   */
  private static boolean missing(SdkException e) {
    if (!(e instanceof DynamoDbException d) || d.awsErrorDetails() == null) {
      return false;
    }
    String code = String.valueOf(d.awsErrorDetails().errorCode());
    return code.equals("AccessDeniedException")
        || code.equals("ValidationException") && String.valueOf(d.awsErrorDetails().errorMessage()).contains("index");
  }

  /**
   * The rows whose source is in one of {@code repositories} (index values), plus the rows stored
   * under exactly one of {@code keys} (rows never written by the controller carry no index value
   * yet). Empty when the table has no such index, or this role may not query it; any other failure
   * is the SDK's exception as is.
   */
  static Optional<List<Map<String, AttributeValue>>> rows(DynamoDbClient dynamo, String table,
      Collection<String> repositories, Collection<String> keys) {
    Set<String> wanted = new LinkedHashSet<>();
    try {
      for (String repository : repositories) {
        dynamo.queryPaginator(b -> b.tableName(table).indexName(NAME).keyConditionExpression("#r = :r")
            .expressionAttributeNames(Map.of("#r", SOURCE_REPOSITORY))
            .expressionAttributeValues(Map.of(":r", AttributeValue.fromS(repository))))
            .items().forEach(item -> wanted.add(item.get(SOURCE).s()));
      }
    } catch (SdkException e) {
      if (missing(e)) {
        return Optional.empty();
      }
      throw e;
    }
    wanted.addAll(keys);
    List<String> all = new ArrayList<>(wanted);
    List<Map<String, AttributeValue>> items = new ArrayList<>();
    for (int i = 0; i < all.size(); i += BATCH) {
      List<Map<String, AttributeValue>> part = new ArrayList<>();
      all.subList(i, Math.min(all.size(), i + BATCH)).forEach(k -> part.add(Map.of(SOURCE, AttributeValue.fromS(k))));
      Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder().keys(part).consistentRead(true).build());
      for (int round = 0; !request.isEmpty(); round++) {
        if (round == MAX_ROUNDS) {
          throw DynamoDbException.builder().message("rows stayed unprocessed after " + MAX_ROUNDS
              + " BatchGetItem rounds (throttled); the next event or scheduled run checks them").build();
        }
        if (round > 0) {
          pause(round);
        }
        Map<String, KeysAndAttributes> ask = request;
        BatchGetItemResponse response = dynamo.batchGetItem(b -> b.requestItems(ask));
        items.addAll(response.responses().getOrDefault(table, List.of()));
        request = response.unprocessedKeys();
      }
    }
    return Optional.of(items);
  }

  /** Backs off before asking again for unprocessed keys, as DynamoDB asks: 50 ms, doubling, at most 2 s. */
  private static void pause(int round) {
    try {
      Thread.sleep(Math.min(2000L, 50L << (round - 1)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw DynamoDbException.builder().message("interrupted while reading rows").build();
    }
  }
}
