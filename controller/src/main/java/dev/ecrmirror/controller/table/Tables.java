package dev.ecrmirror.controller.table;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

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
    try {
      dynamo.describeTable(b -> b.tableName(name));
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
    try {
      dynamo.createTable(b -> b.tableName(name).keySchema(schema).attributeDefinitions(definitions)
          .billingMode(BillingMode.PAY_PER_REQUEST));
      dynamo.waiter().waitUntilTableExists(b -> b.tableName(name));
    } catch (ResourceInUseException e) {
      // Another process created it first.
    } catch (SdkException e) {
      throw fail.apply("create", e);
    }
  }
}
