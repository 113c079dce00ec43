package dev.ecrmirror.controller.table;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateGlobalSecondaryIndexAction;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexUpdate;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/** Creates the controller's DynamoDB tables for local mode, where no stack deployed them. */
final class Tables {
  private Tables() {}

  /**
   * Creates the on-demand table {@code name} unless it exists, keyed by the string attributes
   * {@code keys} (the partition key, then the sort key if any), and waits until it is active. A
   * concurrent creator winning the race is fine; any other failure goes through {@code fail} with the
   * operation ("describe" or "create") so each table words its own message.
   */
  static void createIfMissing(DynamoDbClient dynamo, String name, List<String> keys,
      BiFunction<String, SdkException, TableException> fail) {
    createIfMissing(dynamo, name, keys, List.of(), fail);
  }

  /**
   * As {@link #createIfMissing(DynamoDbClient, String, List, BiFunction)}, with global secondary
   * indexes keyed by a string attribute each; an existing table that lacks one gets it added (a local
   * table created by an older version).
   */
  static void createIfMissing(DynamoDbClient dynamo, String name, List<String> keys, List<GlobalSecondaryIndex> indexes,
      BiFunction<String, SdkException, TableException> fail) {
    try {
      TableDescription table = dynamo.describeTable(b -> b.tableName(name)).table();
      addMissingIndexes(dynamo, table, indexes, fail);
      return;
    } catch (ResourceNotFoundException e) {
      // Create it below.
    } catch (SdkException e) {
      throw fail.apply("describe", e);
    }
    List<KeySchemaElement> schema = new ArrayList<>();
    List<AttributeDefinition> definitions = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      schema.add(KeySchemaElement.builder().attributeName(keys.get(i))
          .keyType(i == 0 ? KeyType.HASH : KeyType.RANGE).build());
      definitions.add(AttributeDefinition.builder().attributeName(keys.get(i))
          .attributeType(ScalarAttributeType.S).build());
    }
    for (GlobalSecondaryIndex index : indexes) {
      definitions.add(definition(index));
    }
    try {
      dynamo.createTable(b -> b.tableName(name).keySchema(schema).attributeDefinitions(definitions)
          .globalSecondaryIndexes(indexes.isEmpty() ? null : indexes).billingMode(BillingMode.PAY_PER_REQUEST));
      dynamo.waiter().waitUntilTableExists(b -> b.tableName(name));
    } catch (ResourceInUseException e) {
      // Another process created it first.
    } catch (SdkException e) {
      throw fail.apply("create", e);
    }
  }

  private static void addMissingIndexes(DynamoDbClient dynamo, TableDescription table, List<GlobalSecondaryIndex> indexes,
      BiFunction<String, SdkException, TableException> fail) {
    for (GlobalSecondaryIndex index : indexes) {
      if (table.globalSecondaryIndexes().stream().anyMatch(i -> i.indexName().equals(index.indexName()))) {
        continue;
      }
      try {
        dynamo.updateTable(b -> b.tableName(table.tableName()).attributeDefinitions(definition(index))
            .globalSecondaryIndexUpdates(GlobalSecondaryIndexUpdate.builder().create(CreateGlobalSecondaryIndexAction.builder()
                .indexName(index.indexName()).keySchema(index.keySchema()).projection(index.projection()).build()).build()));
      } catch (ResourceInUseException e) {
        // Another process is adding it.
      } catch (SdkException e) {
        throw fail.apply("add index " + index.indexName() + " to", e);
      }
    }
  }

  /** The attribute definition of an index's (string) partition key. */
  private static AttributeDefinition definition(GlobalSecondaryIndex index) {
    return AttributeDefinition.builder().attributeName(index.keySchema().get(0).attributeName())
        .attributeType(ScalarAttributeType.S).build();
  }
}
