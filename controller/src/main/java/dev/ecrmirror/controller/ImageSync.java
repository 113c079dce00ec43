package dev.ecrmirror.controller;

import static dev.ecrmirror.controller.table.Attributes.*;

import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.Failures;
import dev.ecrmirror.controller.RowOutcome.Action;
import dev.ecrmirror.controller.drift.RowCheck;
import dev.ecrmirror.controller.jobs.JobException;
import dev.ecrmirror.controller.jobs.JobOutcome;
import dev.ecrmirror.controller.jobs.JobRunner;
import dev.ecrmirror.controller.jobs.MirrorJob;
import dev.ecrmirror.controller.table.Destination;
import dev.ecrmirror.controller.table.MirrorRow;
import dev.ecrmirror.controller.table.MirrorTable;
import dev.ecrmirror.controller.table.MirrorTable.Takeover;
import dev.ecrmirror.controller.table.RowState;
import dev.ecrmirror.controller.table.RowStatus;
import dev.ecrmirror.controller.table.StatusUpdate;
import dev.ecrmirror.controller.table.TableException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a sync does with a checked single-image row: judge what its ended job did, then record it
 * in sync, hold it back (its next attempt is not due, or it failed for good at this digest), or
 * claim it and run one job for its drifted destinations, and write what came of it. Destinations
 * that could not be checked do not hold back the others; {@code DestinationErrors} names them.
 */
final class ImageSync {
  private static final Logger LOG = LoggerFactory.getLogger(ImageSync.class);

  private final MirrorTable table;
  private final JobRunner runner;
  private final Clock clock;
  private final Semaphore jobPermits;
  private final Claims claims;
  private final RetryRules rules;

  ImageSync(MirrorTable table, JobRunner runner, Clock clock, Semaphore jobPermits, Claims claims, RetryRules rules) {
    this.table = table;
    this.runner = runner;
    this.clock = clock;
    this.jobPermits = jobPermits;
    this.claims = claims;
    this.rules = rules;
  }

  /**
   * Acts on one checked single-image row: records what its ended job did, then either records it in
   * sync, holds it back (its next attempt is not due, or it failed for good at this digest), or
   * claims it and runs one job for its drifted destinations. Destinations that could not be checked
   * do not hold back the others; they are named in {@code DestinationErrors}.
   */
  RowOutcome act(RowCheck check, Controller.Prior prior, boolean dryRun, ScheduledExecutorService heartbeats) {
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
      return RowOutcome.of(key, Action.of(status), failure.message());
    }
    String sourceDigest = check.sourceDigest().orElseThrow().toString();
    Map<String, String> checkErrors = messages(check.destinationErrors());
    List<String> drifted = check.drifted().stream().map(Destination::key).toList();
    Optional<Controller.JobEnd> ended = prior.ended();
    boolean sameDigest = state.claimedDigest().filter(sourceDigest::equals).isPresent();
    StatusUpdate observed = new StatusUpdate().set(SOURCE_DIGEST, sourceDigest)
        .set(DESTINATION_DIGESTS, check.destinationDigests()).set(CHECKED_AT, now);

    if (drifted.isEmpty()) {
      boolean adopted = ended.filter(Controller.JobEnd::succeeded).isPresent() && sameDigest;
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
      Action action = !checkErrors.isEmpty() ? Action.of(status) : adopted ? Action.MIRRORED : Action.IN_SYNC;
      return RowOutcome.of(key, action, checkErrors.isEmpty() ? null : String.join("; ", checkErrors.values()))
          .withDestinationErrors(checkErrors);
    }

    // The job that just ended, judged by what the destinations hold now: one that "succeeded" while
    // a destination still holds what it held before is a failed attempt, not a success.
    Optional<Failure> attemptFailed = ended.flatMap(Controller.JobEnd::failure);
    if (ended.filter(Controller.JobEnd::succeeded).isPresent() && sameDigest) {
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
      return new RowOutcome(key, Action.of(status), drifted, check.why(), ended.map(Controller.JobEnd::jobIds),
          Optional.of(failure.message()), destinationErrors);
    }

    // Held back: a failed row waits for its source to move (or a user's retry); a retrying one for its next attempt.
    Optional<String> held = sameDigest && state.attempts() > 0 && !rules.retryFailed && prior.takeover() == Takeover.NONE
        ? heldBack(state, now) : Optional.empty();
    if (held.isPresent()) {
      if (!dryRun) {
        StatusUpdate update = observed;
        errors(update, checkErrors);
        writer.write(update);
      }
      RowStatus status = state.status().orElse(RowStatus.RETRYING);
      return new RowOutcome(key, Action.of(status), drifted, check.why(), Optional.empty(), held, checkErrors);
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
        return new RowOutcome(key, Action.of(status), drifted, check.why(), Optional.empty(), Optional.of(failure.message()),
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
      return new RowOutcome(row.key(), failures.isEmpty() ? Action.MIRRORED : Action.of(status), drifted, check.why(),
          Optional.of(f.jobId()), Optional.empty(), destinationErrors);
    }
    Failure worst = f.failures().values().stream().reduce((a, b) -> a.kind().worst(b.kind()) == a.kind() ? a : b).orElseThrow();
    RowStatus status = recordAttempt(claim::write, update, attempts, worst, destinationErrors, now);
    return new RowOutcome(row.key(), Action.of(status), drifted, check.why(), Optional.of(f.jobId()),
        Optional.of(worst.message()), destinationErrors);
  }

  /** Where a row's writes go: conditional on the claim read with it when its job ended, else unless it is submitted. */
  private final class Writer {
    private final String key;
    private final Controller.Prior prior;
    private final Optional<String> token;

    Writer(String key, Controller.Prior prior, Optional<String> token) {
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
    AttemptPolicy.Attempt attempt = rules.policy.failed(attemptsBefore, failure, now);
    update.status(attempt.status()).set(ATTEMPTS, attempt.count()).set(LAST_ERROR, attempt.reason())
        .set(NEXT_ATTEMPT_AT, attempt.next().map(Instant::toString).orElse(null));
    errors(update, destinationErrors);
    write.test(update);
    return attempt.status();
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
}
