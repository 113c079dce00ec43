package dev.ecrmirror.controller;

import static dev.ecrmirror.controller.table.Attributes.*;

import dev.ecrmirror.common.Failures;
import dev.ecrmirror.controller.RowOutcome.Action;
import dev.ecrmirror.controller.drift.Check;
import dev.ecrmirror.controller.drift.DriftChecker;
import dev.ecrmirror.controller.drift.RepositoryCheck;
import dev.ecrmirror.controller.drift.RowCheck;
import dev.ecrmirror.controller.jobs.JobException;
import dev.ecrmirror.controller.jobs.JobOutcome;
import dev.ecrmirror.controller.jobs.JobRunner;
import dev.ecrmirror.controller.jobs.JobStatus;
import dev.ecrmirror.controller.jobs.MirrorJob;
import dev.ecrmirror.controller.table.Destination;
import dev.ecrmirror.controller.table.InvalidRow;
import dev.ecrmirror.controller.table.MirrorRow;
import dev.ecrmirror.controller.table.MirrorTable;
import dev.ecrmirror.controller.table.ParsedRow;
import dev.ecrmirror.controller.table.RowStatus;
import dev.ecrmirror.controller.table.StatusUpdate;
import dev.ecrmirror.controller.table.TableException;
import dev.ecrmirror.controller.table.TagStateTable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sync of the mirror table: reconcile rows left submitted, check the rest for drift, claim
 * each drifted row and run one job for it (a repository row: one job per part of its drifted
 * tags, see {@link RepositorySync}), and write every row's status back.
 */
public final class Controller {
  private static final Logger LOG = LoggerFactory.getLogger(Controller.class);
  /**
   * A claim without a job id younger than this may still be submitting (or, locally, copying):
   * {@code CheckedAt} is the claim's time, renewed while its job is being started or run.
   */
  private static final Duration CLAIM_GRACE = Duration.ofMinutes(15);

  private final MirrorTable table;
  private final TagStateTable tags;
  private final DriftChecker checker;
  private final JobRunner runner;
  private final Clock clock;
  private final int scanSegments;
  private final int parallelJobs;
  private final Semaphore jobPermits;
  private final Duration claimGrace;
  private final RepositorySync repositories;
  private Consumer<MirrorRow> rowObserver = row -> { };
  /** Status writes in flight at once; independent of how many jobs may run. */
  private static final int WRITERS = 16;

  /** A controller whose repository rows keep their tag states in the default tag table ({@code <table>-tags}). */
  public Controller(MirrorTable table, DriftChecker checker, JobRunner runner, Clock clock, int scanSegments,
      int parallelJobs) {
    this(table, TagStateTable.beside(table), checker, runner, clock, scanSegments, parallelJobs, CLAIM_GRACE);
  }

  public Controller(MirrorTable table, TagStateTable tags, DriftChecker checker, JobRunner runner, Clock clock,
      int scanSegments, int parallelJobs) {
    this(table, tags, checker, runner, clock, scanSegments, parallelJobs, CLAIM_GRACE);
  }

  Controller(MirrorTable table, DriftChecker checker, JobRunner runner, Clock clock, int scanSegments,
      int parallelJobs, Duration claimGrace) {
    this(table, TagStateTable.beside(table), checker, runner, clock, scanSegments, parallelJobs, claimGrace);
  }

  Controller(MirrorTable table, TagStateTable tags, DriftChecker checker, JobRunner runner, Clock clock,
      int scanSegments, int parallelJobs, Duration claimGrace) {
    this.claimGrace = claimGrace;
    this.table = table;
    this.tags = tags;
    this.checker = checker;
    this.runner = runner;
    this.clock = clock;
    this.scanSegments = scanSegments;
    this.parallelJobs = parallelJobs;
    this.jobPermits = new Semaphore(Math.max(1, parallelJobs));
    this.repositories = new RepositorySync(table, tags, runner, clock, jobPermits, claimGrace);
  }

  /**
   * Shows every row about to be checked to {@code observer} first, before any registry is asked: the
   * command line notes which registries are sources and which destinations, for their logins.
   */
  public Controller beforeChecking(Consumer<MirrorRow> observer) {
    this.rowObserver = observer;
    return this;
  }

  /** Scans the table and syncs the rows the selector keeps (all for a scheduled run). */
  public List<RowOutcome> sync(Predicate<MirrorRow> selector, boolean dryRun) {
    List<ParsedRow> rows = table.scan(scanSegments);
    List<ParsedRow> selected = new ArrayList<>();
    for (ParsedRow row : rows) {
      if (row instanceof MirrorRow m ? selector.test(m) : selector == ALL) {
        selected.add(row);
      }
    }
    return sync(selected, dryRun);
  }

  /** Selects every row, invalid ones included. */
  public static final Predicate<MirrorRow> ALL = r -> true;

  /** Syncs the given rows. A failure on one row is recorded on it and never stops the others. */
  public List<RowOutcome> sync(List<ParsedRow> rows, boolean dryRun) {
    Map<String, RowOutcome> outcomes = new HashMap<>();
    List<MirrorRow> toCheck = new ArrayList<>();
    List<MirrorRow> submitted = new ArrayList<>();
    for (ParsedRow row : rows) {
      switch (row) {
        case InvalidRow invalid -> outcomes.put(invalid.key(), invalid(invalid, dryRun));
        case MirrorRow m when !m.enabled() -> outcomes.put(m.key(), RowOutcome.of(m.key(), Action.DISABLED, null));
        case MirrorRow m when m.state().is(RowStatus.SUBMITTED) -> submitted.add(m);
        case MirrorRow m -> toCheck.add(m);
      }
    }
    Set<String> adopt = new HashSet<>();
    reconcile(submitted, dryRun, outcomes, toCheck, adopt);

    toCheck.forEach(rowObserver);
    List<Check> checks = checker.check(toCheck, adopt, row -> tags.read(row.key()));
    List<Future<RowOutcome>> pending = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(Math.max(WRITERS, parallelJobs),
        Thread.ofPlatform().daemon().name("row-", 0).factory());
        ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("claim-heartbeat").factory())) {
      for (Check check : checks) {
        boolean adopted = adopt.contains(check.row().key());
        pending.add(pool.submit(() -> switch (check) {
          case RowCheck c -> act(c, adopted, dryRun, heartbeats);
          case RepositoryCheck c -> repositories.act(c, adopted, dryRun, heartbeats);
        }));
      }
      for (int i = 0; i < pending.size(); i++) {
        RowOutcome outcome;
        try {
          outcome = pending.get(i).get();
        } catch (ExecutionException e) {
          String key = checks.get(i).row().key();
          outcome = RowOutcome.of(key, Action.FAILED, Failures.describe(e.getCause()));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("sync interrupted", e);
        }
        outcomes.put(outcome.key(), outcome);
      }
    }
    List<RowOutcome> ordered = new ArrayList<>();
    for (ParsedRow row : rows) {
      RowOutcome o = outcomes.get(row.key());
      if (o != null) {
        ordered.add(o);
      }
    }
    return ordered;
  }

  private RowOutcome invalid(InvalidRow row, boolean dryRun) {
    boolean unchanged = row.state().is(RowStatus.INVALID) && row.state().lastError().filter(row.reason()::equals).isPresent();
    if (!dryRun && !unchanged) {
      safely(row.key(), () -> table.updateUnlessSubmitted(row.key(), new StatusUpdate()
          .status(RowStatus.INVALID).set(LAST_ERROR, row.reason()).set(CHECKED_AT, now())));
    }
    return RowOutcome.of(row.key(), Action.INVALID, row.reason());
  }

  /** Reads back the jobs of rows left submitted: finished ones are recorded and, when they succeeded, checked again. */
  private void reconcile(List<MirrorRow> submitted, boolean dryRun, Map<String, RowOutcome> outcomes,
      List<MirrorRow> toCheck, Set<String> adopt) {
    if (submitted.isEmpty()) {
      return;
    }
    List<String> jobIds = submitted.stream().flatMap(r -> jobIds(r).stream()).toList();
    Map<String, JobStatus> statuses;
    try {
      statuses = jobIds.isEmpty() ? Map.of() : runner.describe(jobIds);
    } catch (JobException e) {
      submitted.forEach(r -> outcomes.put(r.key(), RowOutcome.of(r.key(), Action.FAILED, Failures.describe(e))));
      return;
    }
    for (MirrorRow row : submitted) {
      List<String> ids = jobIds(row);
      if (ids.isEmpty()) {
        Instant claimed = row.state().checkedAt().orElse(Instant.EPOCH);
        if (claimed.plus(claimGrace).isAfter(clock.instant())) {
          outcomes.put(row.key(), RowOutcome.of(row.key(), Action.JOB_ACTIVE, "claimed by another controller, not yet submitted"));
          continue;
        }
      }
      String token = row.state().claimToken().orElse("");
      String job = ids.isEmpty() ? "(none)" : String.join(",", ids);
      // A row split into several jobs is done only when all are: any still running keeps it
      // submitted; any failed fails it (with every reason); all succeeded re-checks it.
      Map<String, String> failures = new LinkedHashMap<>();
      boolean active = false;
      boolean unknown = ids.isEmpty();
      Optional<Instant> stopped = Optional.empty();
      for (String id : ids) {
        JobStatus status = statuses.getOrDefault(id, JobStatus.unknown());
        switch (status.state()) {
          case ACTIVE -> active = true;
          case FAILED -> failures.put(id, "job " + id + " failed: " + status.reason().orElse("no reason given"));
          case UNKNOWN -> unknown = true;
          case SUCCEEDED -> {
            if (status.stoppedAt().isPresent() && (stopped.isEmpty() || status.stoppedAt().get().isAfter(stopped.get()))) {
              stopped = status.stoppedAt();
            }
          }
        }
      }
      Optional<String> firstJob = ids.isEmpty() ? Optional.empty() : Optional.of(ids.get(0));
      if (active) {
        outcomes.put(row.key(), new RowOutcome(row.key(), Action.JOB_ACTIVE, List.of(), Map.of(), firstJob, Optional.empty()));
      } else if (!failures.isEmpty()) {
        String reason = String.join("; ", failures.values());
        if (!dryRun) {
          if (row.isRepository()) {
            safely(row.key(), () -> repositories.jobsFailed(row, token, failures));
          } else {
            safely(row.key(), () -> table.updateIfClaimed(row.key(), token, new StatusUpdate()
                .status(RowStatus.FAILED).set(LAST_ERROR, reason)));
          }
        }
        // Checked again on the next run, so the error stays visible for one period.
        outcomes.put(row.key(), new RowOutcome(row.key(), Action.FAILED, List.of(), Map.of(), firstJob, Optional.of(reason)));
      } else if (unknown) {
        String reason = "job " + job + " is unknown to the executor (expired, or its run died); checking again";
        LOG.warn("{}: {}", row.key(), reason);
        if (!dryRun) {
          safely(row.key(), () -> table.updateIfClaimed(row.key(), token, new StatusUpdate()
              .status(RowStatus.FAILED).set(LAST_ERROR, reason)));
        }
        toCheck.add(row);
      } else {
        Instant at = stopped.orElse(clock.instant());
        if (!dryRun) {
          StatusUpdate update = new StatusUpdate().status(RowStatus.MIRRORED).set(MIRRORED_AT, at.toString()).remove(LAST_ERROR);
          if (!row.isRepository()) {
            update.set(MIRRORED_SOURCE_DIGEST, row.state().claimedDigest().orElse(null))
                .set(MIRRORED_PLATFORMS, row.platformsKey());
          }
          safely(row.key(), () -> table.updateIfClaimed(row.key(), token, update));
        }
        adopt.add(row.key());
        toCheck.add(row);
      }
    }
  }

  /** The jobs a row's {@code JobId} names: one, or several comma-joined for a repository row split into parts. */
  static List<String> jobIds(MirrorRow row) {
    List<String> ids = new ArrayList<>();
    row.state().jobId().ifPresent(j -> {
      for (String id : j.split(",")) {
        if (!id.isBlank()) {
          ids.add(id.trim());
        }
      }
    });
    return ids;
  }

  private RowOutcome act(RowCheck check, boolean adopted, boolean dryRun, ScheduledExecutorService heartbeats) {
    MirrorRow row = check.row();
    String key = row.key();
    Instant now = clock.instant();
    if (check.failed()) {
      if (!dryRun) {
        StatusUpdate update = new StatusUpdate().status(RowStatus.FAILED).set(LAST_ERROR, check.error().get())
            .set(CHECKED_AT, now).set(DESTINATION_DIGESTS, check.destinationDigests());
        check.sourceDigest().ifPresent(d -> update.set(SOURCE_DIGEST, d.toString()));
        table.updateUnlessSubmitted(key, update);
      }
      return RowOutcome.of(key, Action.FAILED, check.error().get());
    }
    String sourceDigest = check.sourceDigest().orElseThrow().toString();
    if (check.inSync()) {
      if (!dryRun) {
        StatusUpdate update = new StatusUpdate()
            .status(adopted ? RowStatus.MIRRORED : RowStatus.IN_SYNC)
            .set(SOURCE_DIGEST, sourceDigest).set(DESTINATION_DIGESTS, check.destinationDigests())
            .set(CHECKED_AT, now).remove(LAST_ERROR);
        if (adopted) {
          update.set(MIRRORED_DIGESTS, check.destinationDigests()).set(MIRRORED_SOURCE_DIGEST, sourceDigest)
              .set(MIRRORED_PLATFORMS, row.platformsKey());
        }
        table.updateUnlessSubmitted(key, update);
      }
      return RowOutcome.of(key, adopted ? Action.MIRRORED : Action.IN_SYNC, null);
    }
    List<String> drifted = check.drifted().stream().map(Destination::key).toList();
    if (dryRun) {
      return new RowOutcome(key, Action.WOULD_SUBMIT, drifted, check.why(), Optional.empty(), Optional.empty());
    }
    String token = UUID.randomUUID().toString();
    boolean claimed = table.claim(key, row.state().claimToken(), new StatusUpdate()
        .status(RowStatus.SUBMITTED).set(CLAIM_TOKEN, token).set(CLAIMED_DIGEST, sourceDigest)
        .set(SOURCE_DIGEST, sourceDigest).set(DESTINATION_DIGESTS, check.destinationDigests())
        .set(CHECKED_AT, now).remove(JOB_ID).remove(LAST_ERROR));
    if (!claimed) {
      return new RowOutcome(key, Action.CLAIMED_ELSEWHERE, drifted, check.why(), Optional.empty(),
          Optional.of("another controller claimed this drift first"));
    }
    MirrorJob job = new MirrorJob(row, check.sourceDigest().get(), check.drifted());
    // Until the job id is written the claim shows no job; a row waiting for a permit, or copied
    // in process for longer than the grace, would look abandoned to another controller, which
    // would take it over and run the same drift twice. Renew the claim's time while we work.
    long every = Math.max(1, claimGrace.toMillis() / 3);
    ScheduledFuture<?> heartbeat = heartbeats.scheduleAtFixedRate(() -> safely(key, () -> table.updateIfClaimed(key,
        token, new StatusUpdate().set(CHECKED_AT, now()))), every, every, TimeUnit.MILLISECONDS);
    JobOutcome outcome;
    try {
      jobPermits.acquireUninterruptibly();
      try {
        outcome = runner.run(job);
      } finally {
        jobPermits.release();
        heartbeat.cancel(false);
      }
    } catch (JobException e) {
      table.updateIfClaimed(key, token, new StatusUpdate().status(RowStatus.FAILED).set(LAST_ERROR, Failures.describe(e)));
      return new RowOutcome(key, Action.FAILED, drifted, check.why(), Optional.empty(), Optional.of(Failures.describe(e)));
    }
    return switch (outcome) {
      case JobOutcome.Submitted s -> {
        table.updateIfClaimed(key, token, new StatusUpdate().set(JOB_ID, s.jobId()));
        yield new RowOutcome(key, Action.SUBMITTED, drifted, check.why(), Optional.of(s.jobId()), Optional.empty());
      }
      case JobOutcome.CopiedTags c -> throw new IllegalStateException("a single-image job came back as a repository copy");
      case JobOutcome.Finished f -> {
        Map<String, String> current = new HashMap<>(check.destinationDigests());
        current.putAll(f.destinationDigests());
        StatusUpdate update = new StatusUpdate().set(JOB_ID, f.jobId()).set(DESTINATION_DIGESTS, current);
        if (f.ok()) {
          Map<String, String> mirrored = new HashMap<>(row.state().mirroredDigests());
          mirrored.keySet().retainAll(row.destinations().stream().map(Destination::key).toList());
          mirrored.putAll(f.destinationDigests());
          update.status(RowStatus.MIRRORED).set(MIRRORED_AT, clock.instant()).set(MIRRORED_SOURCE_DIGEST, f.sourceDigest())
              .set(MIRRORED_DIGESTS, mirrored).set(MIRRORED_PLATFORMS, row.platformsKey());
        } else {
          update.status(RowStatus.FAILED).set(LAST_ERROR, f.error().orElse("copy failed"));
        }
        table.updateIfClaimed(key, token, update);
        yield new RowOutcome(key, f.ok() ? Action.MIRRORED : Action.FAILED, drifted, check.why(),
            Optional.of(f.jobId()), f.error());
      }
    };
  }

  private void safely(String key, Runnable write) {
    try {
      write.run();
    } catch (TableException e) {
      LOG.warn("{}: {}", key, e.getMessage());
    }
  }

  private String now() {
    return clock.instant().toString();
  }
}
