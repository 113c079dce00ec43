package dev.ecrmirror.controller.table;

import static dev.ecrmirror.controller.table.Attributes.*;

import dev.ecrmirror.common.aws.AwsErrors;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * The mirror table in DynamoDB: parallel paginated scans, the user's own row writes, and
 * conditional status writes that name only the controller's attributes.
 */
public final class MirrorTable {
  private final DynamoDbClient dynamo;
  private final String name;

  public MirrorTable(DynamoDbClient dynamo, String name) {
    this.dynamo = dynamo;
    this.name = name;
  }

  public String name() {
    return name;
  }

  DynamoDbClient dynamo() {
    return dynamo;
  }

  /**
   * Creates the table (on-demand, key {@code Source}, with the {@code SourceRepository} index) unless it
   * exists, and adds the index to one that lacks it; for local mode.
   */
  public void createIfMissing() {
    Tables.createIfMissing(dynamo, name, List.of(SOURCE), List.of(SourceIndex.definition()), this::fail);
  }

  /**
   * The rows a push into these repositories may touch: those whose source's normalized
   * {@code registry/repository} is one of {@code repositories}, found through the
   * {@code SourceRepository} index, plus any row stored under exactly one of {@code keys}. Read
   * consistently. Empty when the table has no such index, or this role may not query it (a stack
   * deployed by an older version): scan instead.
   */
  public Optional<List<ParsedRow>> rowsInRepositories(Collection<String> repositories, Collection<String> keys) {
    try {
      return SourceIndex.rows(dynamo, name, repositories, keys)
          .map(items -> items.stream().map(RowParser::parse).toList());
    } catch (SdkException e) {
      throw fail("look up rows by source repository in", e);
    }
  }

  /** The index value of a row key, for the {@code SourceRepository} attribute; empty when the key does not parse. */
  public static Optional<String> sourceRepository(String key) {
    return SourceIndex.valueOf(key);
  }

  /** Adds {@code SourceRepository} to an update of row {@code key}, so the index finds the row. */
  private static void setSourceRepository(String key, Map<String, String> names, Map<String, AttributeValue> values,
      List<String> sets) {
    SourceIndex.valueOf(key).ifPresent(repository -> {
      names.put("#srcrepo", SOURCE_REPOSITORY);
      values.put(":srcrepo", AttributeValue.fromS(repository));
      sets.add("#srcrepo = :srcrepo");
    });
  }

  /**
   * Reads every row with a parallel scan of {@code segments} segments, each paginated. Fails as a
   * whole when any segment fails: a partial table would look like rows were deleted.
   */
  public List<ParsedRow> scan(int segments) {
    List<Map<String, AttributeValue>> items = scanItems(segments);
    List<ParsedRow> rows = new ArrayList<>(items.size());
    items.forEach(item -> rows.add(RowParser.parse(item)));
    return rows;
  }

  private List<Map<String, AttributeValue>> scanItems(int segments) {
    if (segments < 1) {
      throw new IllegalArgumentException("scan segments must be 1 or more, not " + segments);
    }
    List<Future<List<Map<String, AttributeValue>>>> parts = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(segments, Thread.ofPlatform().daemon().name("scan-", 0).factory())) {
      for (int segment = 0; segment < segments; segment++) {
        ScanRequest request = ScanRequest.builder().tableName(name).consistentRead(true)
            .segment(segment).totalSegments(segments).build();
        parts.add(pool.submit(() -> {
          List<Map<String, AttributeValue>> out = new ArrayList<>();
          dynamo.scanPaginator(request).items().forEach(out::add);
          return out;
        }));
      }
      List<Map<String, AttributeValue>> all = new ArrayList<>();
      for (Future<List<Map<String, AttributeValue>>> part : parts) {
        all.addAll(part.get());
      }
      return all;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SdkException sdk) {
        throw fail("scan", sdk);
      }
      throw new TableException("scan of table " + name + " failed: " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TableException("scan of table " + name + " was interrupted", e);
    }
  }

  /** The row stored under exactly this key. */
  public Optional<ParsedRow> get(String key) {
    try {
      Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(name).consistentRead(true)
          .key(Map.of(SOURCE, AttributeValue.fromS(key)))).item();
      return item == null || item.isEmpty() ? Optional.empty() : Optional.of(RowParser.parse(item));
    } catch (SdkException e) {
      throw fail("read row " + key + " from", e);
    }
  }

  /**
   * The rows stored under exactly these keys, read consistently with {@code BatchGetItem} (100 keys
   * a call); keys without a row are left out. The run report reads back with it what a sync wrote.
   */
  public List<ParsedRow> get(Collection<String> keys) {
    if (keys.isEmpty()) {
      return List.of();
    }
    try {
      // No repositories to query: the index is not asked, so the lookup cannot come back empty.
      return SourceIndex.rows(dynamo, name, List.of(), keys).orElseThrow().stream().map(RowParser::parse).toList();
    } catch (SdkException e) {
      throw fail("read rows back from", e);
    }
  }

  /**
   * Writes the user's definition of a row: {@code Destination} (a comma-separated string, the
   * aws-ecr-mirror form), {@code Platforms} and {@code Enabled}. Status attributes and anything else
   * already on the row are kept.
   */
  public void putDefinition(String source, List<String> destinations, List<String> platforms, Optional<Boolean> enabled) {
    putDefinition(source, destinations, platforms, enabled, Map.of());
  }

  /**
   * As {@link #putDefinition(String, List, List, Optional)}, with the row's tag rules and destination
   * policy ({@code ExistingTags}, {@code PrefixKeepsRegistry}): the rule and policy attributes given
   * are set, every other one is removed (an empty map makes the row a single-image row with the default
   * policy again).
   */
  public void putDefinition(String source, List<String> destinations, List<String> platforms, Optional<Boolean> enabled,
      Map<String, AttributeValue> rules) {
    putDefinition(source, destinations, platforms, enabled, rules, Optional.empty());
  }

  /**
   * As {@link #putDefinition(String, List, List, Optional, Map)}, in the same {@code UpdateItem}
   * setting the row's {@code RepositorySettings} (compact JSON) or, given an empty string, removing
   * them; left as they are when {@code repositorySettings} is empty. One write, so no run ever reads
   * the row's new definition with its old settings.
   */
  public void putDefinition(String source, List<String> destinations, List<String> platforms, Optional<Boolean> enabled,
      Map<String, AttributeValue> rules, Optional<String> repositorySettings) {
    Map<String, String> names = new HashMap<>(Map.of("#d", DESTINATION, "#p", PLATFORMS));
    Map<String, AttributeValue> values = new HashMap<>(Map.of(":d", AttributeValue.fromS(String.join(",", destinations))));
    List<String> sets = new ArrayList<>(List.of("#d = :d"));
    List<String> removes = new ArrayList<>();
    setRules(rules, names, values, sets, removes);
    setAttributes(POLICY, "q", rules, names, values, sets, removes);
    setSourceRepository(source, names, values, sets);
    if (platforms.isEmpty()) {
      removes.add("#p");
    } else {
      sets.add("#p = :p");
      values.put(":p", AttributeValue.fromS(String.join(",", platforms)));
    }
    if (enabled.isPresent()) {
      names.put("#e", ENABLED);
      sets.add("#e = :e");
      values.put(":e", AttributeValue.fromBool(enabled.get()));
    }
    repositorySettings.ifPresent(json -> {
      names.put("#s", REPOSITORY_SETTINGS);
      if (json.isEmpty()) {
        removes.add("#s");
      } else {
        sets.add("#s = :s");
        values.put(":s", AttributeValue.fromS(json));
      }
    });
    try {
      dynamo.updateItem(b -> b.tableName(name).key(Map.of(SOURCE, AttributeValue.fromS(source)))
          .updateExpression(updateExpression(sets, removes)).expressionAttributeNames(names)
          .expressionAttributeValues(values));
    } catch (SdkException e) {
      throw fail("write row " + source + " to", e);
    }
  }

  /** Adds to an update the rule attributes {@code rules} sets, and removes every other rule attribute. */
  private static void setRules(Map<String, AttributeValue> rules, Map<String, String> names,
      Map<String, AttributeValue> values, List<String> sets, List<String> removes) {
    setAttributes(RULES, "r", rules, names, values, sets, removes);
  }

  /** Adds to an update each of {@code attributes} that {@code given} sets, and removes the others (aliases {@code #Xi}, {@code :Xi}). */
  private static void setAttributes(List<String> attributes, String alias, Map<String, AttributeValue> given,
      Map<String, String> names, Map<String, AttributeValue> values, List<String> sets, List<String> removes) {
    for (int i = 0; i < attributes.size(); i++) {
      String name = "#" + alias + i;
      names.put(name, attributes.get(i));
      AttributeValue value = given.get(attributes.get(i));
      if (value == null) {
        removes.add(name);
      } else {
        values.put(":" + alias + i, value);
        sets.add(name + " = :" + alias + i);
      }
    }
  }

  private static String updateExpression(List<String> sets, List<String> removes) {
    return "SET " + String.join(", ", sets) + (removes.isEmpty() ? "" : " REMOVE " + String.join(", ", removes));
  }

  /**
   * Writes a derived row's definition ({@code Destination}, the tag rules, {@code Origin}) in one
   * {@code UpdateItem}, removing rule attributes it no longer sets. The controller's status
   * attributes, and a user's {@code Enabled} or {@code Platforms}, are left as they are. Refuses
   * (false) when the key already holds a row a user wrote, one without an {@code Origin}.
   */
  public boolean putDerived(DerivedRow row) {
    Map<String, String> names = new HashMap<>(Map.of("#src", SOURCE, "#d", DESTINATION, "#o", ORIGIN));
    Map<String, AttributeValue> values = new HashMap<>(Map.of(":d", AttributeValue.fromS(row.destination()),
        ":o", AttributeValue.fromS(row.origin())));
    List<String> sets = new ArrayList<>(List.of("#d = :d", "#o = :o"));
    List<String> removes = new ArrayList<>();
    setRules(row.rules(), names, values, sets, removes);
    setSourceRepository(row.key(), names, values, sets);
    String update = updateExpression(sets, removes);
    try {
      dynamo.updateItem(b -> b.tableName(name).key(Map.of(SOURCE, AttributeValue.fromS(row.key())))
          .updateExpression(update).conditionExpression("attribute_not_exists(#src) OR attribute_exists(#o)")
          .expressionAttributeNames(names).expressionAttributeValues(values));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    } catch (SdkException e) {
      throw fail("write derived row " + row.key() + " to", e);
    }
  }

  /**
   * Every derived row (one with an {@code Origin}) as stored: a filtered, paginated scan that reads
   * only the definition attributes.
   */
  public List<DerivedRow> derivedRows() {
    Map<String, String> names = new HashMap<>(Map.of("#src", SOURCE, "#d", DESTINATION, "#o", ORIGIN));
    List<String> projection = new ArrayList<>(List.of("#src", "#d", "#o"));
    for (int i = 0; i < RULES.size(); i++) {
      names.put("#r" + i, RULES.get(i));
      projection.add("#r" + i);
    }
    List<DerivedRow> rows = new ArrayList<>();
    try {
      dynamo.scanPaginator(b -> b.tableName(name).consistentRead(true).filterExpression("attribute_exists(#o)")
          .projectionExpression(String.join(", ", projection)).expressionAttributeNames(names)).items().forEach(item -> {
            Map<String, AttributeValue> rules = new HashMap<>();
            RULES.forEach(rule -> {
              if (item.containsKey(rule)) {
                rules.put(rule, item.get(rule));
              }
            });
            AttributeValue destination = item.get(DESTINATION);
            rows.add(new DerivedRow(item.get(SOURCE).s(), destination == null || destination.s() == null ? "" : destination.s(),
                rules, item.get(ORIGIN).s() == null ? "" : item.get(ORIGIN).s()));
          });
    } catch (SdkException e) {
      throw fail("scan derived rows of", e);
    }
    return rows;
  }

  /**
   * Deletes a derived row, only while it still carries this {@code Origin} (a row a user took over
   * by removing its origin is theirs). False when there was no such row.
   */
  public boolean deleteDerived(String key, String origin) {
    try {
      dynamo.deleteItem(b -> b.tableName(name).key(Map.of(SOURCE, AttributeValue.fromS(key)))
          .conditionExpression("#o = :o").expressionAttributeNames(Map.of("#o", ORIGIN))
          .expressionAttributeValues(Map.of(":o", AttributeValue.fromS(origin))));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    } catch (SdkException e) {
      throw fail("delete derived row " + key + " from", e);
    }
  }

  /** Deletes the row stored under exactly this key; false when there was none. */
  public boolean delete(String key) {
    try {
      dynamo.deleteItem(b -> b.tableName(name).key(Map.of(SOURCE, AttributeValue.fromS(key)))
          .conditionExpression("attribute_exists(#s)").expressionAttributeNames(Map.of("#s", SOURCE)));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    } catch (SdkException e) {
      throw fail("delete row " + key + " from", e);
    }
  }

  /**
   * Applies a status update unless the row is claimed by a submitted job (that job's outcome is
   * written by reconciliation). False when the row was submitted meanwhile, or deleted.
   */
  public boolean updateUnlessSubmitted(String key, StatusUpdate update) {
    Map<String, AttributeValue> values = new HashMap<>(Map.of(":submitted", AttributeValue.fromS(RowStatus.SUBMITTED.label())));
    return apply(key, update,
        "attribute_exists(#src) AND (attribute_not_exists(#st) OR #st <> :submitted)", values);
  }

  /** How a claim may be taken: the state the row was read in decides what must still hold. */
  public enum Takeover {
    /** The row was not submitted: nobody may have claimed it since. */
    NONE,
    /** The row was submitted and its job is known to have ended: its claim is taken as it was read. */
    ENDED_JOB,
    /** The row was claimed without a job and its lease ran out: taken only while still unrenewed and jobless. */
    EXPIRED_LEASE
  }

  /**
   * Claims a row for one job, as a compare-and-swap on the claim token: succeeds only when the row
   * still carries the token it was read with ({@code seenToken}; none for a row never claimed) and
   * {@code takeover}'s condition holds at {@code now}. Of any number of controllers that saw the
   * same drift and race here, exactly one wins; the others get false.
   */
  public boolean claim(String key, Optional<String> seenToken, Takeover takeover, Instant now, StatusUpdate update) {
    Map<String, AttributeValue> values = new HashMap<>(Map.of(":submitted", AttributeValue.fromS(RowStatus.SUBMITTED.label())));
    String tokenCondition;
    if (seenToken.isPresent()) {
      values.put(":seen", AttributeValue.fromS(seenToken.get()));
      tokenCondition = "#tok = :seen";
    } else {
      tokenCondition = "attribute_not_exists(#tok)";
    }
    String state = switch (takeover) {
      case NONE -> "(attribute_not_exists(#st) OR #st <> :submitted)";
      case ENDED_JOB -> "#st = :submitted AND attribute_exists(#job)";
      case EXPIRED_LEASE -> {
        values.put(":now", AttributeValue.fromN(Long.toString(now.toEpochMilli())));
        yield "#st = :submitted AND attribute_not_exists(#job) AND (attribute_not_exists(#lease) OR #lease < :now)";
      }
    };
    return apply(key, update, "attribute_exists(#src) AND " + tokenCondition + " AND " + state, values);
  }

  /**
   * Renews a claim's lease while its job is being started or run: only while the row still carries
   * the claim's token and no job id. False means another controller took the claim over: the caller
   * must stop acting on it.
   */
  public boolean renew(String key, String token, Instant until) {
    Map<String, AttributeValue> values = new HashMap<>(Map.of(":tok", AttributeValue.fromS(token),
        ":submitted", AttributeValue.fromS(RowStatus.SUBMITTED.label())));
    return apply(key, new StatusUpdate().set(LEASE_UNTIL, until.toEpochMilli()),
        "attribute_exists(#src) AND #tok = :tok AND #st = :submitted AND attribute_not_exists(#job)", values);
  }

  /**
   * Lets the next sync try a row again at once: forgets its failed attempts and its next attempt's
   * time, only while it is {@code failed}, {@code conflict} or {@code retrying}. False otherwise.
   */
  public boolean retry(String key) {
    Map<String, AttributeValue> values = new HashMap<>(Map.of(
        ":f", AttributeValue.fromS(RowStatus.FAILED.label()), ":c", AttributeValue.fromS(RowStatus.CONFLICT.label()),
        ":r", AttributeValue.fromS(RowStatus.RETRYING.label())));
    return apply(key, new StatusUpdate().remove(ATTEMPTS).remove(NEXT_ATTEMPT_AT),
        "attribute_exists(#src) AND #st IN (:f, :c, :r)", values);
  }

  /** Applies an update only while the row still carries this claim token. */
  public boolean updateIfClaimed(String key, String token, StatusUpdate update) {
    Map<String, AttributeValue> values = new HashMap<>(Map.of(":tok", AttributeValue.fromS(token)));
    return apply(key, update, "attribute_exists(#src) AND #tok = :tok", values);
  }

  private boolean apply(String key, StatusUpdate update, String condition, Map<String, AttributeValue> conditionValues) {
    Map<String, String> names = new HashMap<>();
    Map<String, AttributeValue> values = new HashMap<>(conditionValues);
    names.put("#src", SOURCE);
    if (condition.contains("#st")) {
      names.put("#st", STATUS);
    }
    if (condition.contains("#tok")) {
      names.put("#tok", CLAIM_TOKEN);
    }
    if (condition.contains("#job")) {
      names.put("#job", JOB_ID);
    }
    if (condition.contains("#lease")) {
      names.put("#lease", LEASE_UNTIL);
    }
    List<String> sets = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, AttributeValue> e : update.sets().entrySet()) {
      names.put("#a" + i, e.getKey());
      values.put(":v" + i, e.getValue());
      sets.add("#a" + i + " = :v" + i);
      i++;
    }
    List<String> removes = new ArrayList<>();
    for (String attribute : update.removes()) {
      names.put("#a" + i, attribute);
      removes.add("#a" + i);
      i++;
    }
    if (!sets.isEmpty() || !removes.isEmpty()) {
      setSourceRepository(key, names, values, sets);
    }
    StringBuilder expression = new StringBuilder();
    if (!sets.isEmpty()) {
      expression.append("SET ").append(String.join(", ", sets));
    }
    if (!removes.isEmpty()) {
      expression.append(expression.isEmpty() ? "" : " ").append("REMOVE ").append(String.join(", ", removes));
    }
    if (expression.isEmpty()) {
      return true;
    }
    try {
      dynamo.updateItem(b -> b.tableName(name).key(Map.of(SOURCE, AttributeValue.fromS(key)))
          .updateExpression(expression.toString()).conditionExpression(condition)
          .expressionAttributeNames(names).expressionAttributeValues(values));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    } catch (SdkException e) {
      throw fail("update row " + key + " in", e);
    }
  }

  private TableException fail(String operation, SdkException e) {
    if (e instanceof ResourceNotFoundException) {
      return new TableException("table " + name + " does not exist (deploy the stack, or use --local)", e);
    }
    if (AwsErrors.missingCredentials(e)) {
      return new TableException(AwsErrors.noCredentials("use table " + name) + "; or use --local to run without AWS", e);
    }
    String why = e instanceof SdkClientException ? "cannot reach DynamoDB: " + e.getMessage() : e.getMessage();
    return new TableException(operation + " table " + name + " failed: " + why, e);
  }
}
