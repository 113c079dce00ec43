package dev.ecrmirror.controller.cli;

import dev.ecrmirror.controller.aws.AwsClients;
import java.net.URI;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Endpoint overrides for the services {@code sync} uses besides the table (a picocli mixin): Batch, SQS, ECR, EventBridge. */
final class ServiceOptions {
  @Option(names = "--batch-endpoint-url", paramLabel = "URL", description = "Override the AWS Batch endpoint.")
  URI batchEndpoint;

  @Option(names = "--sqs-endpoint-url", paramLabel = "URL", description = "Override the SQS endpoint.")
  URI sqsEndpoint;

  @Option(names = "--ecr-endpoint-url", paramLabel = "URL", description = "Override the ECR API endpoint (all regions).")
  URI ecrEndpoint;

  @Option(names = "--eventbridge-endpoint-url", paramLabel = "URL", description = "Override the EventBridge endpoint.")
  URI eventsEndpoint;

  /** These overrides; the DynamoDB one is the table's, left empty here. */
  AwsClients.Endpoints endpoints() {
    return new AwsClients.Endpoints(Optional.empty(), Optional.ofNullable(batchEndpoint),
        Optional.ofNullable(sqsEndpoint), Optional.ofNullable(ecrEndpoint), Optional.ofNullable(eventsEndpoint));
  }
}
