package dev.ecrmirror.controller.cli;

import dev.ecrmirror.controller.aws.AwsClients;
import dev.ecrmirror.controller.local.LocalMode;
import dev.ecrmirror.controller.table.MirrorTable;
import dev.ecrmirror.controller.table.TagStateTable;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
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

  @Option(names = "--lock-wait", paramLabel = "SECONDS", defaultValue = "600",
      description = "How long to wait for another run using the same --data-dir to finish. Default: ${DEFAULT-VALUE}.")
  long lockWaitSeconds;

  @Option(names = "--table", paramLabel = "NAME", defaultValue = "${env:ECR_MIRROR_TABLE}",
      description = "The DynamoDB mirror table. Default: $ECR_MIRROR_TABLE.")
  String table;

  @Option(names = "--tag-table", paramLabel = "NAME", defaultValue = "${env:ECR_MIRROR_TAG_TABLE}",
      description = "The DynamoDB table of repository rows' per-tag state. Default: $ECR_MIRROR_TAG_TABLE, "
          + "else the mirror table's name plus -tags.")
  String tagTable;

  @Option(names = "--region", paramLabel = "REGION",
      description = "The AWS region of the table (for sync, also of the queues and Batch). Default: the SDK chain ($AWS_REGION, profile).")
  String region;

  @Option(names = "--dynamodb-endpoint-url", paramLabel = "URL", description = "Override the DynamoDB endpoint.")
  URI dynamodbEndpoint;

  /** The command this mixin is part of, to name this run to a run waiting for the data directory. */
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

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
        services.batch(), services.sqs(), services.ecr(), services.events());
    Optional<Region> r = Optional.ofNullable(region).map(Region::of);
    if (isLocal(env)) {
      if (!LocalMode.available()) {
        throw new UsageException(LocalMode.NOT_IN_THIS_BUILD);
      }
      if (lockWaitSeconds < 0) {
        throw new UsageException("--lock-wait must be 0 or more seconds, not " + lockWaitSeconds);
      }
      PrintWriter err = command.commandLine().getErr();
      LocalMode db = LocalMode.open(dataDir, holder(), Duration.ofSeconds(lockWaitSeconds), note -> {
        err.println("note: " + note);
        err.flush();
      });
      AwsClients clients = AwsClients.local(r, DefaultCredentialsProvider.builder().build(), endpoints, db.dynamo());
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

  /**
   * This run as a waiting run will name it: the command, never its arguments (they may hold
   * credentials), e.g. {@code controller sync --local}.
   */
  private String holder() {
    return command.qualifiedName() + (local ? " --local" : "");
  }

  /** An open table and the clients behind it; closing stops DynamoDB Local and unlocks its directory. */
  record Session(AwsClients clients, MirrorTable table, TagStateTable tags, Optional<LocalMode> db, boolean local)
      implements AutoCloseable {
    @Override
    public void close() {
      clients.close();
      db.ifPresent(LocalMode::close);
    }
  }
}
