package dev.ecrmirror.controller;

import static dev.ecrmirror.controller.table.Attributes.*;

import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.Failures;
import dev.ecrmirror.controller.RowOutcome.Action;
import dev.ecrmirror.controller.drift.Check;
import dev.ecrmirror.controller.drift.DriftChecker;
import dev.ecrmirror.controller.drift.RepositoryCheck;
import dev.ecrmirror.controller.drift.RowCheck;
import dev.ecrmirror.controller.jobs.JobException;
import dev.ecrmirror.controller.jobs.JobRunner;
import dev.ecrmirror.controller.jobs.JobStatus;
import dev.ecrmirror.controller.table.InvalidRow;
import dev.ecrmirror.controller.table.MirrorRow;
import dev.ecrmirror.controller.table.MirrorTable;
import dev.ecrmirror.controller.table.MirrorTable.Takeover;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
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
  private final ImageSync images;
  private final RetryRules rules = new RetryRules();
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
    Claims claims = new Claims(table, clock, claimGrace, claimGrace.dividedBy(3));
    this.repositories = new RepositorySync(table, tags, runner, clock, jobPermits, claims, rules);
    this.images = new ImageSync(table, runner, clock, jobPermits, claims, rules);
  }

  /**
   * Gives rows that failed for good, or wait for their next attempt, a job in this run all the same
   * ({@code sync --retry-failed}).
   */
  public Controller retryFailed(boolean retry) {
    rules.retryFailed = retry;
    return this;
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
    Map<String, Prior> priors = new HashMap<>();
    reconcile(submitted, dryRun, outcomes, toCheck, adopt, priors);

    toCheck.forEach(rowObserver);
    List<Check> checks = checker.check(toCheck, adopt, row -> tags.read(row.key()));
    List<Future<RowOutcome>> pending = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(Math.max(WRITERS, parallelJobs),
        Thread.ofPlatform().daemon().name("row-", 0).factory());
        ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("claim-heartbeat").factory())) {
      for (Check check : checks) {
        boolean adopted = adopt.contains(check.row().key());
        Prior prior = priors.getOrDefault(check.row().key(), Prior.NONE);
        pending.add(pool.submit(() -> switch (check) {
          case RowCheck c -> images.act(c, prior, dryRun, heartbeats);
          case RepositoryCheck c -> repositories.act(c, adopted, prior.takeover(), dryRun, heartbeats);
        }));
      }
      for (int i = 0; i < pending.size(); i++) {
        RowOutcome outcome;
        try {
          outcome = pending.get(i).get();
        } catch (ExecutionException e) {
          String key = checks.get(i).row().key();
          outcome = RowOutcome.of(key, Action.RETRYING, Failures.describe(e.getCause()));
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
        ordered.add(o.withBefore(row.state()));
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

  /** How a row read as submitted stands after reconciling its jobs: what a new claim must take over, and how its job ended. */
  record Prior(Takeover takeover, Optional<JobEnd> ended) {
    static final Prior NONE = new Prior(Takeover.NONE, Optional.empty());
  }

  /**
   * How a row's job (or jobs) ended.
   *
   * @param jobIds the jobs, comma-joined
   * @param succeeded every job succeeded (the destinations are then checked for what they really hold)
   * @param failure why it failed, when it did
   * @param stoppedAt when the last one stopped
   */
  record JobEnd(String jobIds, boolean succeeded, Optional<Failure> failure, Optional<Instant> stoppedAt) {}

  /**
   * Reads back the jobs of rows left submitted. A row whose jobs ended is checked again in this run,
   * and what its job did is judged from what the destinations hold then ({@link #act}); a row claimed
   * without a job whose lease ran out is taken over, unless a Batch job carrying its claim exists.
   */
  private void reconcile(List<MirrorRow> submitted, boolean dryRun, Map<String, RowOutcome> outcomes,
      List<MirrorRow> toCheck, Set<String> adopt, Map<String, Prior> priors) {
    if (submitted.isEmpty()) {
      return;
    }
    List<String> jobIds = submitted.stream().flatMap(r -> jobIds(r).stream()).toList();
    Map<String, JobStatus> statuses;
    try {
      statuses = jobIds.isEmpty() ? Map.of() : runner.describe(jobIds);
    } catch (JobException e) {
      submitted.forEach(r -> outcomes.put(r.key(), RowOutcome.of(r.key(), Action.RETRYING, Failures.describe(e))));
      return;
    }
    for (MirrorRow row : submitted) {
      List<String> ids = jobIds(row);
      String token = row.state().claimToken().orElse("");
      if (ids.isEmpty()) {
        Instant lease = row.state().leaseUntil().orElse(row.state().checkedAt().orElse(Instant.EPOCH).plus(claimGrace));
        if (lease.isAfter(clock.instant())) {
          outcomes.put(row.key(), RowOutcome.of(row.key(), Action.JOB_ACTIVE, "claimed by another controller, not yet submitted"));
          continue;
        }
        // The holder died or stalled past its lease. A job it submitted before that carries its claim in its name.
        Optional<String> orphan;
        try {
          orphan = runner.findByClaim(token);
        } catch (JobException e) {
          outcomes.put(row.key(), RowOutcome.of(row.key(), Action.RETRYING, "cannot tell whether the claim's job was submitted: "
              + Failures.describe(e)));
          continue;
        }
        if (orphan.isPresent()) {
          if (!dryRun) {
            safely(row.key(), () -> table.updateIfClaimed(row.key(), token, new StatusUpdate().set(JOB_ID, orphan.get())));
          }
          outcomes.put(row.key(), new RowOutcome(row.key(), Action.JOB_ACTIVE, List.of(), Map.of(), orphan, Optional.empty()));
          continue;
        }
        priors.put(row.key(), new Prior(Takeover.EXPIRED_LEASE, Optional.empty()));
        toCheck.add(row);
        continue;
      }
      String job = String.join(",", ids);
      // A row split into several jobs is done only when all are: any still running keeps it
      // submitted; any failed fails it (with every reason); all succeeded re-checks it.
      Map<String, Failure> failures = new LinkedHashMap<>();
      boolean active = false;
      Optional<Instant> stopped = Optional.empty();
      for (String id : ids) {
        JobStatus status = statuses.getOrDefault(id, JobStatus.unknown());
        switch (status.state()) {
          case ACTIVE -> active = true;
          case FAILED -> failures.put(id, new Failure(status.kind(),
              "job " + id + " failed: " + status.reason().orElse("no reason given")));
          case UNKNOWN -> failures.put(id, Failure.transientFailure(
              "job " + id + " is unknown to the executor (expired, or its run died)"));
          case SUCCEEDED -> {
            if (status.stoppedAt().isPresent() && (stopped.isEmpty() || status.stoppedAt().get().isAfter(stopped.get()))) {
              stopped = status.stoppedAt();
            }
          }
        }
      }
      Optional<String> firstJob = Optional.of(ids.get(0));
      if (active) {
        outcomes.put(row.key(), new RowOutcome(row.key(), Action.JOB_ACTIVE, List.of(), Map.of(), firstJob, Optional.empty()));
        continue;
      }
      if (row.isRepository()) {
        reconcileRepository(row, token, failures, stopped, dryRun, outcomes, toCheck, adopt);
        continue;
      }
      Optional<Failure> failure = failures.values().stream()
          .reduce((a, b) -> new Failure(a.kind().worst(b.kind()), a.message() + "; " + b.message()));
      if (failure.isEmpty()) {
        adopt.add(row.key());
      }
      priors.put(row.key(), new Prior(Takeover.ENDED_JOB, Optional.of(new JobEnd(job, failure.isEmpty(), failure, stopped))));
      toCheck.add(row);
    }
  }

  /** A repository row's jobs ended: failed tags are recorded, succeeded ones adopted and checked again. */
  private void reconcileRepository(MirrorRow row, String token, Map<String, Failure> failures, Optional<Instant> stopped,
      boolean dryRun, Map<String, RowOutcome> outcomes, List<MirrorRow> toCheck, Set<String> adopt) {
    if (!failures.isEmpty()) {
      RowStatus status = dryRun ? ImageSync.worst(failures.values()) : repositories.jobsFailed(row, token, failures);
      String reason = String.join("; ", failures.values().stream().map(Failure::message).toList());
      outcomes.put(row.key(), new RowOutcome(row.key(), Action.of(status), List.of(), Map.of(),
          Optional.of(jobIds(row).get(0)), Optional.of(reason)));
      return;
    }
    if (!dryRun) {
      safely(row.key(), () -> table.updateIfClaimed(row.key(), token, new StatusUpdate().status(RowStatus.MIRRORED)
          .set(MIRRORED_AT, stopped.orElse(clock.instant()).toString()).remove(LAST_ERROR)));
    }
    adopt.add(row.key());
    toCheck.add(row);
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
