package dev.ecrmirror.controller.cli;

import dev.ecrmirror.controller.aws.AwsClients;
import dev.ecrmirror.controller.local.DynamoDbLocal;
import dev.ecrmirror.controller.table.MirrorTable;
import dev.ecrmirror.controller.table.TagStateTable;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * Where the mirror table lives (a picocli mixin every command takes): DynamoDB in AWS, or the
 * embedded DynamoDB Local of local mode, plus the region and the DynamoDB endpoint override. The
 * other services' endpoints are {@link ServiceOptions}, for the one command that uses them.
 */
public final class TableOptions {
  /** The table name local mode uses. */
  static final String LOCAL_TABLE = "ecr-mirror";

  @Option(names = "--local", description = "Use the embedded DynamoDB Local (data in --data-dir) and copy in this "
      + "process instead of submitting to AWS Batch. The default when no table is configured.")
  boolean local;

  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${sys:user.home}/.ecr-mirror/local",
      description = "Local mode's data directory. Default: ${DEFAULT-VALUE}.")
  Path dataDir;

  @Option(names = "--table", paramLabel = "NAME", defaultValue = "${env:ECR_MIRROR_TABLE}",
      description = "The DynamoDB mirror table. Default: $ECR_MIRROR_TABLE.")
  String table;

  @Option(names = "--tag-table", paramLabel = "NAME", defaultValue = "${env:ECR_MIRROR_TAG_TABLE}",
      description = "The DynamoDB table of repository rows' per-tag state. Default: $ECR_MIRROR_TAG_TABLE, "
          + "else the mirror table's name plus -tags.")
  String tagTable;

  @Option(names = "--region", paramLabel = "REGION",
      description = "The AWS region of the table, queues and Batch. Default: the SDK chain ($AWS_REGION, profile).")
  String region;

  @Option(names = "--dynamodb-endpoint-url", paramLabel = "URL", description = "Override the DynamoDB endpoint.")
  URI dynamodbEndpoint;

  /** True when this run uses local mode: asked for, or no table configured outside AWS Batch. */
  boolean isLocal(Map<String, String> env) {
    return local || ((table == null || table.isBlank()) && !env.containsKey("AWS_BATCH_JOB_ID"));
  }

  /** True when local mode was chosen for lack of a table rather than asked for. */
  boolean implicitLocal(Map<String, String> env) {
    return !local && isLocal(env);
  }

  /** Opens the table, for a command that uses no other AWS service: starts DynamoDB Local in local mode. */
  Session open(Map<String, String> env) {
    return open(env, AwsClients.Endpoints.none());
  }

  /** Opens the table, with the other services' endpoint overrides: starts DynamoDB Local in local mode. */
  Session open(Map<String, String> env, AwsClients.Endpoints services) {
    AwsClients.Endpoints endpoints = new AwsClients.Endpoints(Optional.ofNullable(dynamodbEndpoint),
        services.batch(), services.sqs(), services.ecr());
    Optional<Region> r = Optional.ofNullable(region).map(Region::of);
    if (isLocal(env)) {
      DynamoDbLocal db = DynamoDbLocal.start(dataDir);
      AwsClients clients = AwsClients.local(r, DefaultCredentialsProvider.builder().build(),
          endpoints.withDynamodb(db.endpoint()));
      MirrorTable t = new MirrorTable(clients.dynamo(), table != null && !table.isBlank() ? table : LOCAL_TABLE);
      TagStateTable tags = tagTable(clients, t);
      try {
        t.createIfMissing();
        tags.createIfMissing();
      } catch (RuntimeException e) {
        clients.close();
        db.close();
        throw e;
      }
      return new Session(clients, t, tags, Optional.of(db), true);
    }
    if (table == null || table.isBlank()) {
      throw new UsageException("no mirror table: pass --table NAME or set ECR_MIRROR_TABLE (or use --local)");
    }
    AwsClients clients = new AwsClients(r, DefaultCredentialsProvider.builder().build(), endpoints);
    MirrorTable t = new MirrorTable(clients.dynamo(), table);
    return new Session(clients, t, tagTable(clients, t), Optional.empty(), false);
  }

  private TagStateTable tagTable(AwsClients clients, MirrorTable mirror) {
    return new TagStateTable(clients.dynamo(),
        tagTable != null && !tagTable.isBlank() ? tagTable : TagStateTable.defaultName(mirror.name()));
  }

  /** An open table and the clients behind it; closing stops DynamoDB Local, if started. */
  record Session(AwsClients clients, MirrorTable table, TagStateTable tags, Optional<DynamoDbLocal> db, boolean local)
      implements AutoCloseable {
    @Override
    public void close() {
      clients.close();
      db.ifPresent(DynamoDbLocal::close);
    }
  }
}
