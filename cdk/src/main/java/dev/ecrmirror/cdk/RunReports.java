package dev.ecrmirror.cdk;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.constructs.Construct;

/**
 * Where the scheduled controller run writes its run report ({@code -c runReports=true}): one
 * versioned bucket, the report always under the same key, so the latest run is one fixed object and
 * the earlier ones are its previous versions, kept {@code runReportDays} days.
 */
public final class RunReports extends Construct {
  /** The object each scheduled run overwrites. */
  static final String KEY = "runs/last-run.csv";

  private final Bucket bucket;

  public RunReports(Construct scope, String id, int keepDays) {
    super(scope, id);
    this.bucket =
        Bucket.Builder.create(this, "Bucket")
            .encryption(BucketEncryption.S3_MANAGED)
            .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
            .enforceSsl(true)
            .versioned(true)
            .lifecycleRules(
                List.of(
                    LifecycleRule.builder()
                        .id("EarlierRuns")
                        .noncurrentVersionExpiration(Duration.days(keepDays))
                        .build()))
            .removalPolicy(RemovalPolicy.RETAIN)
            .build();
    NagSuppressions.addResourceSuppressions(
        bucket,
        List.of(
            NagPackSuppression.builder()
                .id("AwsSolutions-S1")
                .reason(
                    "Holds only the controller's own run reports, written by its role alone; who read"
                        + " them is in CloudTrail's data events where the account records them.")
                .build()));
  }

  /** The report's address, as the controller's {@code --report} takes it. */
  public String url() {
    return "s3://" + bucket.getBucketName() + "/" + KEY;
  }

  /** Lets {@code writer} put the report object, and nothing else in the bucket. */
  public void grantWrite(IGrantable writer) {
    writer
        .getGrantPrincipal()
        .addToPrincipalPolicy(
            PolicyStatement.Builder.create()
                .actions(List.of("s3:PutObject"))
                .resources(List.of(bucket.arnForObjects(KEY)))
                .build());
  }
}
