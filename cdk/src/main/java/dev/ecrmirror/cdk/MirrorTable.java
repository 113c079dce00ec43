package dev.ecrmirror.cdk;

import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.GlobalSecondaryIndexProps;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.ProjectionType;
import software.amazon.awscdk.services.dynamodb.Table;
import software.constructs.Construct;

/**
 * The DynamoDB mirror table: one row per source image, keyed by {@code Source}.
 *
 * <p>The key schema matches existing aws-ecr-mirror tables. The table holds user data (the rows
 * say what to mirror), so it survives stack deletion and keeps point-in-time recovery.
 *
 * <p>A keys-only index on {@code SourceRepository} (the normalized {@code registry/repository} of a
 * row's source, which the controller writes on every row it touches) lets an events run find the
 * rows an ECR push touches without scanning the table.
 */
public final class MirrorTable extends Construct {

  /** The partition key: a full source image reference. */
  public static final String PARTITION_KEY = "Source";

  /** The index (and its key attribute) that finds rows by their source's repository. */
  public static final String SOURCE_REPOSITORY_INDEX = "SourceRepository";

  private final Table table;

  public MirrorTable(Construct scope, String id) {
    super(scope, id);
    this.table =
        Table.Builder.create(this, "Table")
            .partitionKey(Attribute.builder().name(PARTITION_KEY).type(AttributeType.STRING).build())
            // Scans run a few times an hour at most: on-demand costs nothing while idle.
            .billingMode(BillingMode.PAY_PER_REQUEST)
            .pointInTimeRecoverySpecification(
                PointInTimeRecoverySpecification.builder().pointInTimeRecoveryEnabled(true).build())
            .removalPolicy(RemovalPolicy.RETAIN)
            .build();
    // Keys only: the controller reads the rows themselves consistently, by key.
    table.addGlobalSecondaryIndex(
        GlobalSecondaryIndexProps.builder()
            .indexName(SOURCE_REPOSITORY_INDEX)
            .partitionKey(
                Attribute.builder().name(SOURCE_REPOSITORY_INDEX).type(AttributeType.STRING).build())
            .projectionType(ProjectionType.KEYS_ONLY)
            .build());
  }

  public ITable table() {
    return table;
  }
}
