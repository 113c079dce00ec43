package dev.ecrmirror.controller.table;

import static dev.ecrmirror.controller.table.Attributes.*;

import dev.ecrmirror.common.retry.RetryPolicy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The tag-state table: one item per selected tag of a repository row (partition key {@code Source},
 * the row's key; sort key {@code Tag}). A row's items are read with one paginated query and written
 * only when they change, so a repository of 10,000 tags in sync costs no write per run.
 */
public final class TagStateTable {
  /** BatchWriteItem takes at most 25 requests per call. */
  static final int BATCH = 25;
  private static final RetryPolicy RETRY = RetryPolicy.defaults();

  private final DynamoDbClient dynamo;
  private final String name;

  public TagStateTable(DynamoDbClient dynamo, String name) {
    this.dynamo = dynamo;
    this.name = name;
  }

  /** The tag table that goes with a mirror table by default: its name plus {@code -tags}. */
  public static TagStateTable beside(MirrorTable table) {
    return new TagStateTable(table.dynamo(), defaultName(table.name()));
  }

  /** {@code <mirror table>-tags}. */
  public static String defaultName(String mirrorTable) {
    return mirrorTable + "-tags";
  }

  public String name() {
    return name;
  }

  /** Creates the table (on-demand; {@code Source} and {@code Tag}) unless it exists; for local mode. */
  public void createIfMissing() {
    Tables.createIfMissing(dynamo, name, List.of(SOURCE, TAG), this::fail);
  }

  /** Every tag item of the row {@code key}, by tag, in tag order (one paginated query). */
  public Map<String, TagState> read(String key) {
    QueryRequest query = QueryRequest.builder().tableName(name).consistentRead(true)
        .keyConditionExpression("#s = :s").expressionAttributeNames(Map.of("#s", SOURCE))
        .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(key))).build();
    Map<String, TagState> out = new LinkedHashMap<>();
    try {
      dynamo.queryPaginator(query).items().forEach(item -> {
        TagState state = TagState.fromItem(item);
        out.put(state.tag(), state);
      });
    } catch (SdkException e) {
      throw fail("read the tags of " + key + " from", e);
    }
    return out;
  }

  /**
   * Writes these tag items of the row {@code key} and deletes the items of {@code deletes}, 25 per
   * {@code BatchWriteItem}, sending unprocessed items again (with backoff) until all are written.
   *
   * @return how many items were put or deleted
   */
  public int write(String key, Collection<TagState> puts, Collection<String> deletes) {
    List<WriteRequest> requests = new ArrayList<>();
    puts.forEach(t -> requests.add(WriteRequest.builder().putRequest(PutRequest.builder().item(t.toItem(key)).build()).build()));
    deletes.forEach(tag -> requests.add(WriteRequest.builder().deleteRequest(DeleteRequest.builder()
        .key(Map.of(SOURCE, AttributeValue.fromS(key), TAG, AttributeValue.fromS(tag))).build()).build()));
    for (int i = 0; i < requests.size(); i += BATCH) {
      send(key, requests.subList(i, Math.min(requests.size(), i + BATCH)));
    }
    return requests.size();
  }

  private void send(String key, List<WriteRequest> batch) {
    List<WriteRequest> pending = batch;
    // Unprocessed items are DynamoDB throttling the table: waited out within the policy's time budget.
    RetryPolicy.Attempts attempts = RETRY.start();
    while (true) {
      List<WriteRequest> sending = pending;
      try {
        Map<String, List<WriteRequest>> unprocessed = dynamo.batchWriteItem(b -> b.requestItems(Map.of(name, sending)))
            .unprocessedItems();
        pending = unprocessed == null ? List.of() : unprocessed.getOrDefault(name, List.of());
      } catch (SdkException e) {
        throw fail("write tags of " + key + " to", e);
      }
      if (pending.isEmpty()) {
        return;
      }
      if (!waitOut(attempts)) {
        throw new TableException("write tags of " + key + " to table " + name + " failed: " + pending.size()
            + " item(s) still unprocessed after " + RETRY.throttleBudget().toSeconds() + " s (throttled)");
      }
    }
  }

  private static boolean waitOut(RetryPolicy.Attempts attempts) {
    try {
      return attempts.retryThrottled(Optional.empty());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TableException("interrupted while writing tag states", e);
    }
  }

  private TableException fail(String operation, SdkException e) {
    if (e instanceof ResourceNotFoundException) {
      return new TableException("tag table " + name + " does not exist (deploy the stack, pass --tag-table, or use --local)", e);
    }
    String why = e instanceof SdkClientException ? "cannot reach DynamoDB: " + e.getMessage() : e.getMessage();
    return new TableException(operation + " tag table " + name + " failed: " + why, e);
  }
}
