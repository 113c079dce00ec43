package dev.ecrmirror.controller.cli;

import dev.ecrmirror.common.aws.EcrImages;
import dev.ecrmirror.common.cli.CommandLineSupport;
import dev.ecrmirror.common.cli.ExitCodes;
import dev.ecrmirror.common.cli.RegistryCliOptions;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.report.ReportLine;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryOptions;
import dev.ecrmirror.common.retry.RetryPolicy;
import dev.ecrmirror.common.tags.TagLister;
import dev.ecrmirror.controller.Controller;
import dev.ecrmirror.controller.RowOutcome;
import dev.ecrmirror.controller.drift.DigestResolver;
import dev.ecrmirror.controller.drift.DriftChecker;
import dev.ecrmirror.controller.drift.EcrDigests;
import dev.ecrmirror.controller.ecrtags.EcrRepositoryTags;
import dev.ecrmirror.controller.ecrtags.EcrTagKeys;
import dev.ecrmirror.controller.ecrtags.EcrTagRows;
import dev.ecrmirror.controller.events.EventDrain;
import dev.ecrmirror.controller.jobs.BatchJobRunner;
import dev.ecrmirror.controller.jobs.JobRunner;
import dev.ecrmirror.controller.jobs.LocalJobRunner;
import dev.ecrmirror.controller.local.LocalMode;
import dev.ecrmirror.controller.notify.RunSummary;
import dev.ecrmirror.controller.table.Destination;
import dev.ecrmirror.controller.report.ReportLines;
import dev.ecrmirror.controller.report.ReportTarget;
import dev.ecrmirror.controller.report.ReportWriter;
import dev.ecrmirror.controller.report.RunRecorder;
import dev.ecrmirror.controller.table.MirrorRow;
import dev.ecrmirror.controller.table.TableException;
import dev.ecrmirror.worker.EngineCliOptions;
import dev.ecrmirror.worker.MirrorEngines;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sync}: checks rows for drift and runs one job per drifted row. */
@Command(name = "sync", mixinStandardHelpOptions = true,
    description = {"Check every row (or the rows an event or --source names) and run one mirror job per drifted row: "
        + "submitted to AWS Batch, or run in this process with --local.",
        "Rows left submitted by earlier runs are first read back from Batch (DescribeJobs).",
        "With --from-ecr-tags, rows are first derived from the tags of the region's ECR repositories."})
final class SyncCommand implements Callable<Integer>, ExitCodes.Documented {
  @Spec
  CommandSpec spec;

  @Mixin
  TableOptions where;

  @Mixin
  ScanOptions scan;

  @Mixin
  ServiceOptions services;

  @Mixin
  ReportOptions reporting;

  final RegistryCliOptions registry = new RegistryCliOptions();

  @Mixin
  CommandSpec registryOptions = registry.mixin();

  /** With --local, the copy engine's options: the worker's own, so a local copy behaves like a Batch job. */
  final EngineCliOptions engine = new EngineCliOptions();

  @Mixin
  CommandSpec engineOptions = engine.mixin();

  @Option(names = "--dry-run", description = "Print the plan (row, drifted destinations, why); write and submit nothing.")
  boolean dryRun;

  @Option(names = "--retry-failed", description = "Give a job in this run to drifted rows that failed for good"
      + " (failed, conflict) or wait for their next attempt (retrying); `table retry SOURCE` does it for one row.")
  boolean retryFailed;

  @Option(names = "--job-queue", paramLabel = "QUEUE", defaultValue = "${env:ECR_MIRROR_JOB_QUEUE}",
      description = "The Batch job queue for mirror jobs. Default: $ECR_MIRROR_JOB_QUEUE.")
  String jobQueue;

  @Option(names = "--job-definition", paramLabel = "DEF", defaultValue = "${env:ECR_MIRROR_JOB_DEFINITION}",
      description = "The worker's Batch job definition. Default: $ECR_MIRROR_JOB_DEFINITION.")
  String jobDefinition;

  @Option(names = "--events", description = "Drain the events queue and check only the rows its ECR push events touch.")
  boolean events;

  @Option(names = "--events-queue-url", paramLabel = "URL", defaultValue = "${env:ECR_MIRROR_EVENTS_QUEUE_URL}",
      description = "The SQS queue of ECR push events. Default: $ECR_MIRROR_EVENTS_QUEUE_URL.")
  String eventsQueueUrl;

  @Option(names = "--source", paramLabel = "REF", description = "Check only the rows whose source is this image.")
  String source;

  @Option(names = "--repository", paramLabel = "NAME", description = "Check only rows whose source is in this repository (with --tag).")
  String repository;

  @Option(names = "--tag", paramLabel = "TAG", description = "With --repository: only rows whose source has this tag.")
  String tag;

  @Option(names = "--concurrency", paramLabel = "N", defaultValue = "32",
      description = "Digest checks in flight at once. Default: ${DEFAULT-VALUE}.")
  int concurrency;

  @Option(names = "--jobs", paramLabel = "N", defaultValue = "4",
      description = "Rows submitted (or, locally, copied) at once. Default: ${DEFAULT-VALUE}.")
  int jobs;

  @Option(names = "--no-ecr-api", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Check ECR images with the ECR API (BatchGetImage, 100 per call) rather than one HEAD each. Default: on.")
  boolean ecrApi;

  @Option(names = "--from-ecr-tags", description = "Before checking, write a row for each ECR repository of the region "
      + "whose tags ask for mirroring (ecr_sync_source and ecr_sync_*, or upstream-image and upstream-tags), and "
      + "delete derived rows whose repository lost those tags.")
  boolean fromEcrTags;

  @Option(names = "--ecr-tag-key", paramLabel = "FIELD=KEY",
      description = "With --from-ecr-tags: read FIELD from the tag KEY instead of its default (e.g. source=mirror_source). "
          + "Fields: source, constraint, include-tags, exclude-tags, include-rls, exclude-rls, release-only, max-results, "
          + "opt, upstream-image, upstream-tags. Repeatable.")
  List<String> ecrTagKeys = List.of();

  @Mixin
  NotifyOptions notify;

  /** {@code -v} is {@code --debug} on every command; here it also lists the rows in sync, as {@code --verbose} did. */
  @Mixin
  CommandSpec debug = CommandLineSupport.debugMixin(List.of("--verbose"), "Also lists every row, in sync ones too.");

  @Override
  public ExitCodes.Meanings exitCodes() {
    return new ExitCodes.Meanings("no row ended the run retrying, failed, conflict or invalid, and no destination failed",
        "a row ended retrying, failed, conflict or invalid, a destination failed (the others went on), the table, queue"
            + " or Batch could not be used, or the --report FILE could not be written (after the sync)",
        "bad usage: an unknown or invalid option or reference; nothing was checked");
  }

  @Override
  public Integer call() {
    Map<String, String> env = ControllerCli.env();
    if (concurrency < 1 || jobs < 1) {
      throw new UsageException("--concurrency and --jobs must be 1 or more");
    }
    if (tag != null && repository == null) {
      throw new UsageException("--tag needs --repository");
    }
    if (events && (source != null || repository != null)) {
      throw new UsageException("--events cannot be combined with --source or --repository");
    }
    EcrTagKeys keys = EcrTagKeys.defaults();
    for (String setting : ecrTagKeys) {
      if (!fromEcrTags) {
        throw new UsageException("--ecr-tag-key needs --from-ecr-tags");
      }
      try {
        keys = keys.with(setting);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--ecr-tag-key " + e.getMessage());
      }
    }
    if (fromEcrTags && events) {
      throw new UsageException("--from-ecr-tags cannot be combined with --events");
    }
    notify.validate();
    Predicate<MirrorRow> selector = selector();
    Optional<ReportTarget> reportTarget = reporting.target();
    // What the run saw on its way (checks, local copies), kept only for a report.
    Optional<RunRecorder> recorder = reportTarget.map(t -> new RunRecorder());
    RegistryOptions options;
    try {
      options = registry.toRegistryOptions(env);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (where.implicitLocal(env) && LocalMode.available()) {
      err.println("note: no --table or $ECR_MIRROR_TABLE: using the local table in " + where.dataDir + " (--local)");
      err.flush();
    }
    int scanSegments = scan.segments();
    Instant started = Instant.now();
    try (TableOptions.Session session = where.open(env, services.endpoints())) {
      RegistryClient client = new RegistryClient(options);
      session.clients().assume(registry.assumeRoles(env), env);
      Optional<EcrDigests> ecr = ecrApi ? Optional.of(new EcrDigests(session.clients()::ecrFor)) : Optional.empty();
      DriftChecker checker = new DriftChecker(new DigestResolver(client, ecr, concurrency), tagLister(client, session));
      recorder.ifPresent(checker::observing);
      JobRunner runner = runner(session, client, recorder);
      // Each checked row's destinations, for the events and messages that name them.
      Map<String, List<String>> destinations = new ConcurrentHashMap<>();
      Controller controller = new Controller(session.table(), session.tags(), checker, runner, Clock.systemUTC(),
          scanSegments, jobs).retryFailed(retryFailed).beforeChecking(row -> {
            registry.roles().source(row.source());
            row.destinations().forEach(d -> registry.roles().destination(d.target()));
            destinations.put(row.key(), row.destinations().stream().map(Destination::key).toList());
          });
      boolean derivedOk = !fromEcrTags || deriveFromEcrTags(session, keys, err);
      List<RowOutcome> outcomes;
      if (events) {
        if (eventsQueueUrl == null || eventsQueueUrl.isBlank()) {
          throw new UsageException("--events needs --events-queue-url or $ECR_MIRROR_EVENTS_QUEUE_URL");
        }
        EventDrain.Result result = new EventDrain(session.clients().sqs(), eventsQueueUrl, session.table(), controller,
            scanSegments, 1000).drain(dryRun);
        result.notes().forEach(n -> err.println("note: " + n));
        err.println("events: " + result.received() + " received, " + result.deleted() + " deleted, "
            + result.kept() + " kept for retry");
        err.flush();
        outcomes = result.outcomes();
      } else {
        outcomes = controller.sync(selector, dryRun);
      }
      report(out, outcomes);
      if (!dryRun) {
        notify(session, new RunSummary(session.table().name(), events ? "events" : "sync", outcomes, destinations,
            started, Duration.between(started, Instant.now())), env, out, err);
      }
      boolean reported = reportTarget.isEmpty() || writeReport(session, reportTarget.get(), recorder.get(), outcomes, err);
      return derivedOk && reported && outcomes.stream().allMatch(RowOutcome::ok) ? ControllerCli.OK : ControllerCli.FAILED;
    }
  }

  /** Tells the world what the run did (events, Slack, metrics); a channel that fails is one warning line. */
  private void notify(TableOptions.Session session, RunSummary run, Map<String, String> env, PrintWriter out,
      PrintWriter err) {
    Consumer<String> warn = w -> {
      err.println("warning: " + w);
      err.flush();
    };
    notify.notifications(env, session.clients(), Clock.systemUTC(), warn).send(run, line -> {
      out.println(line);
      out.flush();
    }, warn);
  }

  /**
   * Writes the rows the region's ECR repository tags ask for; false when that could not be done
   * (the sync of the rows already in the table goes on, and the run exits 1).
   */
  private boolean deriveFromEcrTags(TableOptions.Session session, EcrTagKeys keys, PrintWriter err) {
    try {
      var region = session.clients().region();
      EcrTagRows rows = new EcrTagRows(new EcrRepositoryTags(session.clients().ecr(region), region), session.table(), keys);
      EcrTagRows.Result result = rows.apply(dryRun);
      result.notes().forEach(n -> err.println("note: " + n));
      err.println(result.summary());
      return true;
    } catch (IllegalStateException | IllegalArgumentException | TableException e) {
      err.println("controller sync: from ECR tags: " + e.getMessage());
      return false;
    } finally {
      err.flush();
    }
  }

  /** How repository rows' source repositories are listed: ECR ones through the ECR API (with digests) unless --no-ecr-api. */
  private TagLister tagLister(RegistryClient client, TableOptions.Session session) {
    return new TagLister(client, ecrApi ? Optional.of(new EcrImages(session.clients()::ecrFor)) : Optional.empty());
  }

  /**
   * Writes the run report; false when a file named with --report could not be written (the run then
   * exits 1). Anything else that goes wrong is one warning line.
   */
  private boolean writeReport(TableOptions.Session session, ReportTarget target, RunRecorder recorder,
      List<RowOutcome> outcomes, PrintWriter err) {
    String prefix = "controller sync: warning: ";
    List<ReportLine> lines = new ReportLines(recorder, dryRun, ReportLines.Readback.of(session.table(), session.tags()),
        w -> err.println(prefix + w)).of(outcomes);
    Optional<String> failed = ReportWriter.write(target, lines, () -> session.clients().s3(reporting.s3Endpoint()));
    failed.ifPresent(why -> err.println(prefix + "report not written: " + why));
    err.flush();
    return failed.isEmpty() || !reporting.failsRun(spec, target);
  }

  private JobRunner runner(TableOptions.Session session, RegistryClient client, Optional<RunRecorder> recorder) {
    if (session.local()) {
      MirrorEngines.Settings settings;
      try {
        // Each row's copy gets at least the worker's share of parallel registry operations.
        settings = engine.settings(Math.max(4, jobs), registry.retryTimes(), dryRun);
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
      MirrorEngines.Settings base = settings;
      // A row's RepositorySettings lie over --repository-settings, as a job's settings parameter over the worker's.
      LocalJobRunner local = new LocalJobRunner(MirrorEngines.build(client, base, session.clients()::ecrFor),
          row -> MirrorEngines.build(client, base.withRepositorySettings(row.over(base.repositorySettings())),
              session.clients()::ecrFor));
      recorder.ifPresent(local::reporting);
      return local;
    }
    if (!dryRun && (jobQueue == null || jobQueue.isBlank() || jobDefinition == null || jobDefinition.isBlank())) {
      throw new UsageException("sync needs --job-queue and --job-definition (or $ECR_MIRROR_JOB_QUEUE and "
          + "$ECR_MIRROR_JOB_DEFINITION), or --local");
    }
    return new BatchJobRunner(session.clients().batch(), jobQueue, jobDefinition, RetryPolicy.defaults());
  }

  private Predicate<MirrorRow> selector() {
    if (source != null) {
      ImageReference wanted = TableCommand.parse("--source", source);
      return row -> row.source().equals(wanted);
    }
    if (repository != null) {
      // A repository row is about every tag of its repository: --tag does not narrow it out.
      return row -> row.source().repository().equals(repository)
          && (tag == null || row.isRepository() || row.source().effectiveTag().filter(tag::equals).isPresent());
    }
    return Controller.ALL;
  }

  private void report(PrintWriter out, List<RowOutcome> outcomes) {
    TextTable table = dryRun ? new TextTable("SOURCE", "PLAN", "DRIFTED DESTINATIONS", "WHY")
        : new TextTable("SOURCE", "RESULT", "DRIFTED DESTINATIONS", "DETAIL");
    Map<RowOutcome.Action, Integer> counts = new EnumMap<>(RowOutcome.Action.class);
    for (RowOutcome o : outcomes) {
      counts.merge(o.action(), 1, Integer::sum);
      boolean quiet = o.action() == RowOutcome.Action.IN_SYNC || o.action() == RowOutcome.Action.DISABLED;
      if (quiet && !CommandLineSupport.debug()) {
        continue;
      }
      String drifted = String.join(",", o.drifted());
      String why = o.why().isEmpty() ? ""
          : o.drifted().stream().map(d -> d + ": " + o.why().get(d)).collect(Collectors.joining("; "));
      String detail = dryRun ? (why.isEmpty() ? o.detail().orElse("") : why)
          : o.jobId().map(j -> "job " + j).orElse("") + o.detail().map(d -> (o.jobId().isPresent() ? "; " : "") + d).orElse("");
      // A destination that failed while the others went on is named, whatever else the row says.
      String failedDestinations = o.destinationErrors().entrySet().stream().filter(e -> !detail.contains(e.getValue()))
          .map(e -> "failed " + e.getKey() + ": " + e.getValue()).collect(Collectors.joining("; "));
      table.add(o.key(), o.action().toString(), drifted,
          failedDestinations.isEmpty() ? detail : detail.isEmpty() ? failedDestinations : detail + "; " + failedDestinations);
    }
    if (table.size() > 0) {
      table.print(out);
    }
    String summary = counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
    out.println((dryRun ? "dry run, nothing written: " : "") + outcomes.size() + " row(s)"
        + (summary.isEmpty() ? "" : ": " + summary));
    out.flush();
  }
}
