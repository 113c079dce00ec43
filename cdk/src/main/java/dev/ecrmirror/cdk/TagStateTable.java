package dev.ecrmirror.cdk;

import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.Table;
import software.constructs.Construct;

/**
 * The tag-state table: the per-tag digests of repository rows, one item per (row, tag), kept out
 * of the mirror table because a row with thousands of tags would outgrow a 400 KB item.
 *
 * <p>Only the controller reads and writes it. It is billed, recovered and encrypted like the
 * mirror table; it can be rebuilt by checking every tag again, but it is retained with the mirror
 * table so the rows and their tag state stay a pair.
 */
public final class TagStateTable extends Construct {

  /** The partition key: the mirror table's {@code Source} key of the repository row. */
  public static final String PARTITION_KEY = "Source";
  /** The sort key: one tag of that row's source repository. */
  public static final String SORT_KEY = "Tag";

  private final Table table;

  public TagStateTable(Construct scope, String id) {
    super(scope, id);
    this.table =
        Table.Builder.create(this, "Table")
            .partitionKey(Attribute.builder().name(PARTITION_KEY).type(AttributeType.STRING).build())
            .sortKey(Attribute.builder().name(SORT_KEY).type(AttributeType.STRING).build())
            // Written only when a tag's digest changes: on-demand costs nothing while idle.
            .billingMode(BillingMode.PAY_PER_REQUEST)
            .pointInTimeRecoverySpecification(
                PointInTimeRecoverySpecification.builder().pointInTimeRecoveryEnabled(true).build())
            // Like the mirror table: DynamoDB's default encryption at rest (an AWS owned key).
            .removalPolicy(RemovalPolicy.RETAIN)
            .build();
  }

  public ITable table() {
    return table;
  }
}
