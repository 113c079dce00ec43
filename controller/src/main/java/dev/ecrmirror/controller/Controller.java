package dev.ecrmirror.controller;

import static dev.ecrmirror.controller.table.Attributes.*;

import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.FailureKind;
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
import dev.ecrmirror.controller.table.MirrorTable.Takeover;
import dev.ecrmirror.controller.table.RowState;
import dev.ecrmirror.controller.table.ParsedRow;
import dev.ecrmirror.controller.table.RowStatus;
import dev.ecrmirror.controller.table.StatusUpdate;
import dev.ecrmirror.controller.table.TableException;
import dev.ecrmirror.controller.table.TagStateTable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
  private final Claims claims;
  private AttemptPolicy attemptPolicy = AttemptPolicy.defaults();
  private boolean retryFailed;
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
    this.claims = new Claims(table, clock, claimGrace, claimGrace.dividedBy(3));
    this.repositories = new RepositorySync(table, tags, runner, clock, jobPermits, claims);
  }

  /** Backs off failed rows by this policy instead of the default. */
  public Controller attemptPolicy(AttemptPolicy policy) {
    this.attemptPolicy = policy;
    repositories.attemptPolicy(policy);
    return this;
  }

  /**
   * Gives rows that failed for good, or wait for their next attempt, a job in this run all the same
   * ({@code sync --retry-failed}).
   */
  public Controller retryFailed(boolean retry) {
    this.retryFailed = retry;
    repositories.retryFailed(retry);
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
          case RowCheck c -> act(c, prior, dryRun, heartbeats);
          case RepositoryCheck c -> repositories.act(c, adopted, dryRun, heartbeats);
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
      RowStatus status = dryRun ? worst(failures.values()) : repositories.jobsFailed(row, token, failures);
      String reason = String.join("; ", failures.values().stream().map(Failure::message).toList());
      outcomes.put(row.key(), new RowOutcome(row.key(), action(status), List.of(), Map.of(),
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

  /**
   * Acts on one checked single-image row: records what its ended job did, then either records it in
   * sync, holds it back (its next attempt is not due, or it failed for good at this digest), or
   * claims it and runs one job for its drifted destinations. Destinations that could not be checked
   * do not hold back the others; they are named in {@code DestinationErrors}.
   */
  private RowOutcome act(RowCheck check, Prior prior, boolean dryRun, ScheduledExecutorService heartbeats) {
    MirrorRow row = check.row();
    String key = row.key();
    RowState state = row.state();
    Instant now = clock.instant();
    Writer writer = new Writer(key, prior, state.claimToken());
    if (check.failed()) {
      Failure failure = check.failure().get();
      RowStatus status = RowStatus.of(failure.kind());
      if (!dryRun) {
        writer.write(new StatusUpdate().status(status).set(LAST_ERROR, failure.message()).set(CHECKED_AT, now)
            .remove(DESTINATION_ERRORS));
      }
      return RowOutcome.of(key, action(status), failure.message());
    }
    String sourceDigest = check.sourceDigest().orElseThrow().toString();
    Map<String, String> checkErrors = messages(check.destinationErrors());
    List<String> drifted = check.drifted().stream().map(Destination::key).toList();
    Optional<JobEnd> ended = prior.ended();
    boolean sameDigest = state.claimedDigest().filter(sourceDigest::equals).isPresent();
    StatusUpdate observed = new StatusUpdate().set(SOURCE_DIGEST, sourceDigest)
        .set(DESTINATION_DIGESTS, check.destinationDigests()).set(CHECKED_AT, now);

    if (drifted.isEmpty()) {
      boolean adopted = ended.filter(JobEnd::succeeded).isPresent() && sameDigest;
      RowStatus status = checkErrors.isEmpty() ? (adopted ? RowStatus.MIRRORED : RowStatus.IN_SYNC)
          : worst(check.destinationErrors().values());
      if (!dryRun) {
        StatusUpdate update = observed.status(status).remove(ATTEMPTS).remove(NEXT_ATTEMPT_AT)
            .set(LAST_ERROR, summary(checkErrors));
        errors(update, checkErrors);
        if (adopted) {
          update.set(MIRRORED_AT, ended.get().stoppedAt().orElse(now)).set(MIRRORED_DIGESTS, check.destinationDigests())
              .set(MIRRORED_SOURCE_DIGEST, sourceDigest).set(MIRRORED_PLATFORMS, row.platformsKey());
        }
        writer.write(update);
      }
      Action action = !checkErrors.isEmpty() ? action(status) : adopted ? Action.MIRRORED : Action.IN_SYNC;
      return RowOutcome.of(key, action, checkErrors.isEmpty() ? null : String.join("; ", checkErrors.values()))
          .withDestinationErrors(checkErrors);
    }

    // The job that just ended, judged by what the destinations hold now: one that "succeeded" while
    // a destination still holds what it held before is a failed attempt, not a success.
    Optional<Failure> attemptFailed = ended.flatMap(JobEnd::failure);
    if (ended.filter(JobEnd::succeeded).isPresent() && sameDigest) {
      List<String> unmoved = new ArrayList<>();
      for (String d : drifted) {
        if (Objects.equals(state.destinationDigests().get(d), check.destinationDigests().get(d))) {
          unmoved.add(d);
        }
      }
      if (!unmoved.isEmpty()) {
        attemptFailed = Optional.of(Failure.transientFailure("job " + ended.get().jobIds() + " reported success, but "
            + String.join(", ", unmoved) + " still lack" + (unmoved.size() == 1 ? "s" : "") + " " + sourceDigest
            + " (check the worker job definition's command and the destinations it was given)"));
      }
    }
    if (attemptFailed.isPresent() && sameDigest) {
      Failure failure = attemptFailed.get();
      Map<String, String> destinationErrors = new LinkedHashMap<>();
      drifted.forEach(d -> destinationErrors.put(d, failure.message()));
      destinationErrors.putAll(checkErrors);
      RowStatus status = recordAttempt(writer, observed, state, failure, destinationErrors, now, dryRun);
      return new RowOutcome(key, action(status), drifted, check.why(), ended.map(JobEnd::jobIds),
          Optional.of(failure.message()), destinationErrors);
    }

    // Held back: a failed row waits for its source to move (or a user's retry); a retrying one for its next attempt.
    Optional<String> held = sameDigest && state.attempts() > 0 && !retryFailed && prior.takeover() == Takeover.NONE
        ? heldBack(state, now) : Optional.empty();
    if (held.isPresent()) {
      if (!dryRun) {
        StatusUpdate update = observed;
        errors(update, checkErrors);
        writer.write(update);
      }
      RowStatus status = state.status().orElse(RowStatus.RETRYING);
      return new RowOutcome(key, action(status), drifted, check.why(), Optional.empty(), held, checkErrors);
    }
    if (dryRun) {
      return new RowOutcome(key, Action.WOULD_SUBMIT, drifted, check.why(), Optional.empty(), Optional.empty(), checkErrors);
    }
    StatusUpdate claimUpdate = observed.set(CLAIMED_DIGEST, sourceDigest).remove(LAST_ERROR)
        .set(ATTEMPTS, sameDigest ? state.attempts() : 0).remove(NEXT_ATTEMPT_AT);
    errors(claimUpdate, checkErrors);
    Optional<Claims.Claim> taken = claims.take(key, state.claimToken(), prior.takeover(), claimUpdate);
    if (taken.isEmpty()) {
      return new RowOutcome(key, Action.CLAIMED_ELSEWHERE, drifted, check.why(), Optional.empty(),
          Optional.of("another controller claimed this drift first"), checkErrors);
    }
    MirrorJob job = new MirrorJob(row, check.sourceDigest().get(), check.drifted()).claimedBy(taken.get().token());
    JobOutcome outcome;
    try (Claims.Claim claim = taken.get().heartbeat(heartbeats)) {
      jobPermits.acquireUninterruptibly();
      try {
        // Started only while the claim is still ours: a controller that took it over would start the same job.
        if (!claim.held()) {
          return new RowOutcome(key, Action.CLAIMED_ELSEWHERE, drifted, check.why(), Optional.empty(),
              Optional.of("lost the claim before starting the job; another controller took it over"), checkErrors);
        }
        outcome = runner.run(job);
      } catch (JobException e) {
        Failure failure = Failure.transientFailure(Failures.describe(e));
        Map<String, String> destinationErrors = new LinkedHashMap<>(checkErrors);
        drifted.forEach(d -> destinationErrors.put(d, failure.message()));
        RowStatus status = recordAttempt(claim::write, new StatusUpdate(), state.attempts(sameDigest), failure,
            destinationErrors, now);
        return new RowOutcome(key, action(status), drifted, check.why(), Optional.empty(), Optional.of(failure.message()),
            destinationErrors);
      } finally {
        jobPermits.release();
      }
      return switch (outcome) {
        case JobOutcome.Submitted s -> {
          if (!claim.write(new StatusUpdate().set(JOB_ID, s.jobId()))) {
            LOG.error("{}: job {} was submitted, but the claim was taken over meanwhile; the job's name carries the"
                + " claim, so the controller that took it over finds the job instead of starting another", key, s.jobId());
          }
          yield new RowOutcome(key, Action.SUBMITTED, drifted, check.why(), Optional.of(s.jobId()), Optional.empty(),
              checkErrors);
        }
        case JobOutcome.CopiedTags c -> throw new IllegalStateException("a single-image job came back as a repository copy");
        case JobOutcome.Finished f -> finished(row, check, f, claim, state.attempts(sameDigest), checkErrors, drifted);
      };
    }
  }

  /** Records an in-process copy: each destination it wrote, and each it did not with why. */
  private RowOutcome finished(MirrorRow row, RowCheck check, JobOutcome.Finished f, Claims.Claim claim, int attempts,
      Map<String, String> checkErrors, List<String> drifted) {
    Instant now = clock.instant();
    Map<String, String> current = new HashMap<>(check.destinationDigests());
    current.putAll(f.destinationDigests());
    Map<String, String> mirrored = new HashMap<>(row.state().mirroredDigests());
    mirrored.keySet().retainAll(row.destinations().stream().map(Destination::key).toList());
    mirrored.putAll(f.destinationDigests());
    StatusUpdate update = new StatusUpdate().set(JOB_ID, f.jobId()).set(DESTINATION_DIGESTS, current);
    if (!f.destinationDigests().isEmpty()) {
      // What was written is recorded even when another destination failed.
      update.set(MIRRORED_AT, now).set(MIRRORED_SOURCE_DIGEST, f.sourceDigest()).set(MIRRORED_DIGESTS, mirrored)
          .set(MIRRORED_PLATFORMS, row.platformsKey());
    }
    Map<String, String> destinationErrors = new LinkedHashMap<>(checkErrors);
    f.failures().forEach((d, failure) -> destinationErrors.put(d, failure.message()));
    List<Failure> failures = new ArrayList<>(f.failures().values());
    failures.addAll(check.destinationErrors().values());
    if (f.ok()) {
      RowStatus status = failures.isEmpty() ? RowStatus.MIRRORED : worst(failures);
      update.status(status).set(LAST_ERROR, summary(destinationErrors)).remove(ATTEMPTS).remove(NEXT_ATTEMPT_AT);
      errors(update, destinationErrors);
      claim.write(update);
      return new RowOutcome(row.key(), failures.isEmpty() ? Action.MIRRORED : action(status), drifted, check.why(),
          Optional.of(f.jobId()), Optional.empty(), destinationErrors);
    }
    Failure worst = f.failures().values().stream().reduce((a, b) -> a.kind().worst(b.kind()) == a.kind() ? a : b).orElseThrow();
    RowStatus status = recordAttempt(claim::write, update, attempts, worst, destinationErrors, now);
    return new RowOutcome(row.key(), action(status), drifted, check.why(), Optional.of(f.jobId()),
        Optional.of(worst.message()), destinationErrors);
  }

  /** Where a row's writes go: conditional on the claim read with it when its job ended, else unless it is submitted. */
  private final class Writer {
    private final String key;
    private final Prior prior;
    private final Optional<String> token;

    Writer(String key, Prior prior, Optional<String> token) {
      this.key = key;
      this.prior = prior;
      this.token = token;
    }

    boolean write(StatusUpdate update) {
      try {
        return prior.takeover() == Takeover.NONE ? table.updateUnlessSubmitted(key, update)
            : table.updateIfClaimed(key, token.orElse(""), update);
      } catch (TableException e) {
        LOG.warn("{}: {}", key, e.getMessage());
        return false;
      }
    }
  }

  private RowStatus recordAttempt(Writer writer, StatusUpdate update, RowState state, Failure failure,
      Map<String, String> destinationErrors, Instant now, boolean dryRun) {
    if (dryRun) {
      return RowStatus.of(failure.kind());
    }
    return recordAttempt(writer::write, update, state.attempts(), failure, destinationErrors, now);
  }

  /**
   * Writes a failed attempt: its count, the status its kind calls for (a transient failure past the
   * policy's attempts fails for good), the next attempt's time when one is due, and why.
   */
  private RowStatus recordAttempt(Predicate<StatusUpdate> write, StatusUpdate update, int attemptsBefore, Failure failure,
      Map<String, String> destinationErrors, Instant now) {
    // A spent rate budget is not the row's fault: it waits for the next run without counting.
    int attempts = failure.kind() == FailureKind.RATE_LIMITED ? attemptsBefore : attemptsBefore + 1;
    RowStatus status = RowStatus.of(failure.kind());
    String reason = failure.message();
    if (status == RowStatus.RETRYING && attemptPolicy.exhausted(attempts)) {
      status = RowStatus.FAILED;
      reason = "gave up after " + attempts + " attempts: " + reason;
    }
    update.status(status).set(ATTEMPTS, attempts).set(LAST_ERROR, reason);
    if (status == RowStatus.RETRYING) {
      update.set(NEXT_ATTEMPT_AT, attemptPolicy.nextAttempt(attempts, now));
    } else {
      update.remove(NEXT_ATTEMPT_AT);
    }
    errors(update, destinationErrors);
    write.test(update);
    return status;
  }

  /** Why a drifted row gets no job in this run, if it gets none. */
  private static Optional<String> heldBack(RowState state, Instant now) {
    RowStatus status = state.status().orElse(RowStatus.NEW);
    if (status == RowStatus.FAILED || status == RowStatus.CONFLICT) {
      return Optional.of(status + " at this source digest after " + state.attempts() + " attempt(s): "
          + state.lastError().orElse("no reason recorded")
          + "; tried again when the source moves, or after `table retry` / `sync --retry-failed`");
    }
    if (status == RowStatus.RETRYING && state.nextAttemptAt().filter(now::isBefore).isPresent()) {
      return Optional.of("attempt " + (state.attempts() + 1) + " due at " + state.nextAttemptAt().get() + "; last: "
          + state.lastError().orElse("no reason recorded"));
    }
    return Optional.empty();
  }

  private static void errors(StatusUpdate update, Map<String, String> destinationErrors) {
    if (destinationErrors.isEmpty()) {
      update.remove(DESTINATION_ERRORS);
    } else {
      update.set(DESTINATION_ERRORS, destinationErrors);
    }
  }

  /** The row's one-line {@code LastError} for failed destinations (null, removing it, when none failed). */
  private static String summary(Map<String, String> destinationErrors) {
    if (destinationErrors.isEmpty()) {
      return null;
    }
    Map.Entry<String, String> first = destinationErrors.entrySet().iterator().next();
    return destinationErrors.size() + " destination(s) failed (see DestinationErrors): " + first.getValue();
  }

  private static Map<String, String> messages(Map<String, Failure> failures) {
    Map<String, String> out = new LinkedHashMap<>();
    failures.forEach((k, v) -> out.put(k, v.message()));
    return out;
  }

  static RowStatus worst(Collection<Failure> failures) {
    RowStatus worst = RowStatus.IN_SYNC;
    for (Failure f : failures) {
      worst = worst.worst(RowStatus.of(f.kind()));
    }
    return worst;
  }

  /** The action a sync reports for a row left in this status. */
  static Action action(RowStatus status) {
    return switch (status) {
      case RETRYING -> Action.RETRYING;
      case FAILED -> Action.FAILED;
      case CONFLICT -> Action.CONFLICT;
      case DEFERRED -> Action.DEFERRED;
      case INVALID -> Action.INVALID;
      case MIRRORED -> Action.MIRRORED;
      case SUBMITTED -> Action.SUBMITTED;
      case DRIFT -> Action.WOULD_SUBMIT;
      case NEW, IN_SYNC -> Action.IN_SYNC;
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
