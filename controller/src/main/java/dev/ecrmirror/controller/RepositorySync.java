package dev.ecrmirror.controller;

import static dev.ecrmirror.controller.table.Attributes.*;

import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.ref.Pin;
import dev.ecrmirror.controller.RowOutcome.Action;
import dev.ecrmirror.controller.drift.RepositoryCheck;
import dev.ecrmirror.controller.drift.RepositoryCheck.TagCheck;
import dev.ecrmirror.controller.jobs.JobException;
import dev.ecrmirror.controller.jobs.JobOutcome;
import dev.ecrmirror.controller.jobs.JobRunner;
import dev.ecrmirror.controller.jobs.MirrorJob;
import dev.ecrmirror.controller.table.Destination;
import dev.ecrmirror.controller.table.MirrorRow;
import dev.ecrmirror.controller.table.MirrorTable;
import dev.ecrmirror.controller.table.MirrorTable.Takeover;
import dev.ecrmirror.controller.table.RowStatus;
import dev.ecrmirror.controller.table.StatusUpdate;
import dev.ecrmirror.controller.table.TagState;
import dev.ecrmirror.controller.table.TagStateTable;
import dev.ecrmirror.controller.table.TagSummary;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a sync does with a checked repository row: decide each selected tag's state, claim the
 * row and run its jobs (the drifted tags pinned to the digests checked, split to fit Batch's
 * parameter limit), then write the tag states that changed and the row's bounded summary.
 *
 * <p>A tag that stays in sync costs no write: its item is written only when something in it
 * changes. {@code mirrored} is sticky while the tag stays in sync, so the run after a copy does not
 * rewrite every copied tag to {@code in sync}.
 */
final class RepositorySync {
  private static final Logger LOG = LoggerFactory.getLogger(RepositorySync.class);
  /** Tags named in a destination's "why", before the rest are counted. */
  private static final int NAMED = 5;

  private final MirrorTable table;
  private final TagStateTable tags;
  private final JobRunner runner;
  private final Clock clock;
  private final Semaphore jobPermits;
  private final Claims claims;
  private final RetryRules rules;

  RepositorySync(MirrorTable table, TagStateTable tags, JobRunner runner, Clock clock, Semaphore jobPermits,
      Claims claims, RetryRules rules) {
    this.table = table;
    this.tags = tags;
    this.runner = runner;
    this.clock = clock;
    this.jobPermits = jobPermits;
    this.claims = claims;
    this.rules = rules;
  }

  /**
   * Acts on one checked repository row. {@code takeover} says how a new claim may be taken: a row
   * whose last claim lapsed without a job ({@link Takeover#EXPIRED_LEASE}) is written under that old
   * claim's token, and claimed over it.
   */
  RowOutcome act(RepositoryCheck check, boolean adopted, Takeover takeover, boolean dryRun,
      ScheduledExecutorService heartbeats) {
    MirrorRow row = check.row();
    String key = row.key();
    Instant now = clock.instant();
    Optional<String> lapsed = takeover == Takeover.NONE ? Optional.empty() : row.state().claimToken();
    if (check.failed()) {
      String error = check.error().get();
      RowStatus status = RowStatus.of(check.kind());
      if (!dryRun) {
        StatusUpdate update = new StatusUpdate().status(status).set(LAST_ERROR, error).set(CHECKED_AT, now);
        if (lapsed.isPresent()) {
          table.updateIfClaimed(key, lapsed.get(), update);
        } else {
          table.updateUnlessSubmitted(key, update);
        }
      }
      return RowOutcome.of(key, Action.of(status), error);
    }
    Map<String, TagState> next = new LinkedHashMap<>();
    for (TagCheck t : check.tags()) {
      next.put(t.tag(), checked(row, t, check.previous().get(t.tag()), adopted, now));
    }
    // Only tags left drifted get a job: one waiting for its next attempt, or failed for good at this digest, does not.
    List<TagCheck> drifted = check.drifted().stream().filter(t -> next.get(t.tag()).status() == RowStatus.DRIFT).toList();
    List<Destination> destinations = row.destinations().stream()
        .filter(d -> drifted.stream().anyMatch(t -> t.drifted().contains(d))).toList();
    List<String> driftedKeys = destinations.stream().map(Destination::key).toList();
    Map<String, String> why = why(destinations, drifted);
    if (dryRun) {
      TagSummary summary = TagSummary.of(next.values());
      Action action = !drifted.isEmpty() ? Action.WOULD_SUBMIT : summary.failed() > 0 ? Action.FAILED : Action.IN_SYNC;
      return new RowOutcome(key, action, driftedKeys, why, Optional.empty(), Optional.of(summary + failures(summary)));
    }
    if (drifted.isEmpty()) {
      return finish(row, check, next, List.of(), now, adopted ? Action.MIRRORED : Action.IN_SYNC, driftedKeys, why,
          lapsed);
    }
    StatusUpdate claimUpdate = new StatusUpdate().set(CHECKED_AT, now)
        .remove(LAST_ERROR).remove(CLAIMED_DIGEST).remove(SOURCE_DIGEST).remove(DESTINATION_DIGESTS);
    TagSummary.of(next.values()).applyTo(claimUpdate);
    Optional<Claims.Claim> taken = claims.take(key, row.state().claimToken(), takeover, claimUpdate);
    if (taken.isEmpty()) {
      return new RowOutcome(key, Action.CLAIMED_ELSEWHERE, driftedKeys, why, Optional.empty(),
          Optional.of("another controller claimed this drift first"));
    }
    String token = taken.get().token();
    List<Pin> pins = drifted.stream().map(t -> new Pin(t.tag(), t.sourceDigest().orElseThrow())).toList();
    List<MirrorJob> jobs;
    try {
      jobs = MirrorJob.repository(row, destinations, pins).stream().map(j -> j.claimedBy(token)).toList();
    } catch (JobException e) {
      taken.get().close();
      drifted.forEach(t -> next.put(t.tag(), failedAttempt(next.get(t.tag()), Failure.transientFailure(e.getMessage()), now)));
      return finish(row, check, next, List.of(), now, Action.FAILED, driftedKeys, why, Optional.of(token));
    }
    List<String> submitted = new ArrayList<>();
    List<String> ran = new ArrayList<>();
    // As for single rows: the claim's lease is renewed while its jobs are started, and checked before each.
    try (Claims.Claim claim = taken.get().heartbeat(heartbeats)) {
      for (MirrorJob job : jobs) {
        jobPermits.acquireUninterruptibly();
        try {
          if (!claim.held()) {
            return new RowOutcome(key, Action.CLAIMED_ELSEWHERE, driftedKeys, why, Optional.empty(),
                Optional.of("lost the claim while starting its jobs; another controller took it over"));
          }
          record(job, runner.run(job), next, row, submitted, ran);
        } catch (JobException e) {
          LOG.warn("{}: {}", key, e.getMessage());
          job.pins().forEach(p -> next.put(p.tag(), failedAttempt(next.get(p.tag()),
              Failure.transientFailure(e.getMessage()), clock.instant())));
        } finally {
          jobPermits.release();
        }
      }
    }
    List<String> ids = new ArrayList<>(submitted);
    ids.addAll(ran);
    Action action = !submitted.isEmpty() ? Action.SUBMITTED : ran.isEmpty() ? Action.FAILED : Action.MIRRORED;
    return finish(row, check, next, ids, now, action, driftedKeys, why, Optional.of(token), !submitted.isEmpty());
  }

  /** Records what running one job did to its tags. */
  private void record(MirrorJob job, JobOutcome outcome, Map<String, TagState> next, MirrorRow row,
      List<String> submitted, List<String> ran) {
    switch (outcome) {
      case JobOutcome.Submitted s -> {
        submitted.add(s.jobId());
        job.pins().forEach(p -> next.put(p.tag(), next.get(p.tag()).withStatus(RowStatus.SUBMITTED, Optional.empty(),
            Optional.of(s.jobId()))));
      }
      case JobOutcome.CopiedTags c -> {
        ran.add(c.jobId());
        for (Pin p : job.pins()) {
          TagState before = next.get(p.tag());
          Map<String, String> at = new HashMap<>(before.destinationDigests());
          Map<String, String> written = c.written().getOrDefault(p.tag(), Map.of());
          at.putAll(written);
          Optional<Failure> failure = Optional.ofNullable(c.errors().get(p.tag()));
          Map<String, String> mirrored = new HashMap<>(before.mirroredDigests());
          mirrored.keySet().retainAll(row.destinations().stream().map(Destination::key).toList());
          mirrored.putAll(written);
          TagState copied = new TagState(p.tag(), RowStatus.MIRRORED,
              Optional.of(p.digest().toString()), at, Optional.empty(), Optional.empty(),
              failure.isPresent() ? before.mirroredSourceDigest() : Optional.of(p.digest().toString()),
              failure.isPresent() ? before.mirroredDigests() : mirrored,
              failure.isPresent() ? before.mirroredPlatforms() : Optional.of(row.platformsKey()), before.changedAt(),
              before.attempts(), before.nextAttemptAt());
          next.put(p.tag(), failure.map(f -> failedAttempt(copied, f, clock.instant()))
              .orElse(new TagState(copied.tag(), RowStatus.MIRRORED, copied.sourceDigest(), at, Optional.empty(),
                  Optional.empty(), copied.mirroredSourceDigest(), copied.mirroredDigests(), copied.mirroredPlatforms(),
                  copied.changedAt())));
        }
      }
      case JobOutcome.Finished f -> throw new IllegalStateException("a repository job came back as a single-image copy");
    }
  }

  private RowOutcome finish(MirrorRow row, RepositoryCheck check, Map<String, TagState> next, List<String> jobIds,
      Instant now, Action action, List<String> drifted, Map<String, String> why, Optional<String> token) {
    return finish(row, check, next, jobIds, now, action, drifted, why, token, false);
  }

  /**
   * Writes the tag items that changed (and deletes those of tags no longer selected), then the row:
   * its summary, its status (still {@code submitted} while jobs are out, else the worst of its tags).
   */
  private RowOutcome finish(MirrorRow row, RepositoryCheck check, Map<String, TagState> next, List<String> jobIds,
      Instant now, Action action, List<String> drifted, Map<String, String> why, Optional<String> token,
      boolean jobsOut) {
    String key = row.key();
    int written = writeChanges(key, check.previous(), next, now);
    TagSummary summary = TagSummary.of(next.values());
    StatusUpdate update = new StatusUpdate().set(CHECKED_AT, now);
    summary.applyTo(update);
    if (!jobsOut) {
      RowStatus status = TagSummary.worst(next.values());
      update.status(status);
      if (summary.failed() > 0) {
        update.set(LAST_ERROR, summary.failed() + " of " + summary.selected() + " tag(s) failed; see FailedTags");
      } else {
        update.remove(LAST_ERROR);
      }
    }
    if (!jobIds.isEmpty()) {
      update.set(JOB_ID, String.join(",", jobIds));
    }
    if (action == Action.MIRRORED && !jobIds.isEmpty()) {
      update.set(MIRRORED_AT, clock.instant());
    }
    if (token.isPresent()) {
      table.updateIfClaimed(key, token.get(), update);
    } else {
      table.updateUnlessSubmitted(key, update);
    }
    LOG.debug("{}: {} tag item(s) written", key, written);
    Action reported = summary.failed() > 0 ? Action.of(TagSummary.worst(next.values())).worst(action) : action;
    String detail = summary + failures(summary);
    Optional<String> job = jobIds.isEmpty() ? Optional.empty() : Optional.of(String.join(",", jobIds));
    return new RowOutcome(key, reported, drifted, why, job, Optional.of(detail));
  }

  /** Puts every tag whose state changed and deletes the items of tags no longer selected; returns how many. */
  private int writeChanges(String key, Map<String, TagState> previous, Map<String, TagState> next, Instant now) {
    List<TagState> puts = new ArrayList<>();
    for (TagState t : next.values()) {
      if (!t.sameAs(previous.get(t.tag()))) {
        puts.add(t.withChangedAt(now));
      }
    }
    // Tags no longer selected (or gone from the source) keep their images at the destinations;
    // only their state leaves the table, so the summary counts what the rules select now.
    List<String> deletes = previous.keySet().stream().filter(tag -> !next.containsKey(tag)).toList();
    return tags.write(key, puts, deletes);
  }

  /**
   * Reconciliation found some of a repository row's jobs failed: each tag those jobs carried has a
   * failed attempt of its job's kind, and the row takes the worst status of its tags, with the
   * summary recomputed. Returns that status.
   */
  RowStatus jobsFailed(MirrorRow row, String token, Map<String, Failure> failures) {
    String key = row.key();
    Instant now = clock.instant();
    Map<String, TagState> stored = tags.read(key);
    Map<String, TagState> next = new LinkedHashMap<>(stored);
    for (TagState t : stored.values()) {
      Optional<Failure> failure = t.jobId().map(failures::get);
      if (t.status() == RowStatus.SUBMITTED && failure.isPresent()) {
        next.put(t.tag(), failedAttempt(t, failure.get(), now));
      }
    }
    writeChanges(key, stored, next, now);
    RowStatus status = TagSummary.worst(next.values());
    StatusUpdate update = new StatusUpdate().status(status)
        .set(LAST_ERROR, String.join("; ", failures.values().stream().map(Failure::message).toList()));
    TagSummary.of(next.values()).applyTo(update);
    table.updateIfClaimed(key, token, update);
    return status;
  }

  /**
   * A tag after a failed attempt: counted (a spent rate budget is not), with the status its kind
   * calls for (transient past the policy's attempts is failed) and, when retrying, the next attempt's time.
   */
  private TagState failedAttempt(TagState tag, Failure failure, Instant now) {
    AttemptPolicy.Attempt attempt = rules.policy.failed(tag.attempts(), failure, now);
    return tag.withAttempt(attempt.status(), attempt.reason(), attempt.count(), attempt.next());
  }

  /**
   * A tag's state from its check (before any job): a drifted tag whose job just reported success
   * while a destination still holds what it held before is a failed attempt; one waiting for its
   * next attempt, or failed for good at this source digest, stays as it is (and gets no job).
   */
  private TagState checked(MirrorRow row, TagCheck t, TagState previous, boolean adopted, Instant now) {
    Optional<String> mirroredSource = previous == null ? Optional.empty() : previous.mirroredSourceDigest();
    Map<String, String> mirroredDigests = previous == null ? Map.of() : previous.mirroredDigests();
    Optional<String> mirroredPlatforms = previous == null ? Optional.empty() : previous.mirroredPlatforms();
    Optional<String> source = t.sourceDigest().map(Object::toString);
    boolean sameDigest = previous != null && source.isPresent() && previous.sourceDigest().equals(source);
    int attempts = sameDigest ? previous.attempts() : 0;
    Optional<Instant> nextAttempt = sameDigest ? previous.nextAttemptAt() : Optional.empty();
    RowStatus status;
    Optional<String> error = t.error();
    if (!t.drifted().isEmpty() && sameDigest && adopted && previous.status() == RowStatus.SUBMITTED
        && unmoved(previous, t)) {
      TagState base = new TagState(t.tag(), RowStatus.DRIFT, source, t.destinationDigests(), Optional.empty(),
          Optional.empty(), mirroredSource, mirroredDigests, mirroredPlatforms, previous.changedAt(), attempts, nextAttempt);
      return failedAttempt(base, Failure.transientFailure("job " + previous.jobId().orElse("(unknown)")
          + " reported success, but " + String.join(", ", t.drifted().stream().map(Destination::key).toList())
          + " still lack " + t.tag() + "@" + source.get()), now);
    } else if (!t.drifted().isEmpty() && sameDigest && attempts > 0 && !rules.retryFailed && waiting(previous, now)) {
      status = previous.status();
      error = previous.lastError();
    } else if (!t.drifted().isEmpty()) {
      // Drifted healthy destinations get their job even when another destination of the tag could not be checked.
      status = RowStatus.DRIFT;
    } else if (t.error().isPresent()) {
      status = RowStatus.of(t.kind());
    } else if (previous != null && adopted && previous.status() == RowStatus.SUBMITTED
        && previous.sourceDigest().equals(source)) {
      // The job that carried this tag succeeded: what the destinations hold now is what it wrote.
      status = RowStatus.MIRRORED;
      mirroredSource = source;
      mirroredDigests = t.destinationDigests();
      mirroredPlatforms = Optional.of(row.platformsKey());
    } else if (previous != null && previous.status() == RowStatus.MIRRORED) {
      status = RowStatus.MIRRORED;
    } else {
      status = RowStatus.IN_SYNC;
    }
    boolean keepsAttempts = status != RowStatus.IN_SYNC && status != RowStatus.MIRRORED;
    return new TagState(t.tag(), status, source, t.destinationDigests(), error, Optional.empty(), mirroredSource,
        mirroredDigests, mirroredPlatforms, previous == null ? Optional.empty() : previous.changedAt(),
        keepsAttempts ? attempts : 0, keepsAttempts ? nextAttempt : Optional.empty());
  }

  /** True when every drifted destination of the tag holds what it held before the job. */
  private static boolean unmoved(TagState previous, TagCheck t) {
    return t.drifted().stream().allMatch(d -> java.util.Objects.equals(previous.destinationDigests().get(d.key()),
        t.destinationDigests().get(d.key())));
  }

  /** True when a failed tag waits: for good (failed, conflict) or for its next attempt (retrying). */
  private static boolean waiting(TagState previous, Instant now) {
    return switch (previous.status()) {
      case FAILED, CONFLICT -> true;
      case RETRYING -> previous.nextAttemptAt().filter(now::isBefore).isPresent();
      default -> false;
    };
  }

  /** For each drifted destination: how many tags it lacks or holds at another digest, naming a few. */
  private static Map<String, String> why(List<Destination> destinations, List<TagCheck> drifted) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Destination d : destinations) {
      List<String> missing = new ArrayList<>();
      List<String> differ = new ArrayList<>();
      for (TagCheck t : drifted) {
        String reason = t.why().get(d.key());
        if (reason != null) {
          (reason.equals("missing") ? missing : differ).add(t.tag());
        }
      }
      List<String> parts = new ArrayList<>();
      if (!missing.isEmpty()) {
        parts.add(missing.size() + " tag(s) missing (" + named(missing) + ")");
      }
      if (!differ.isEmpty()) {
        parts.add(differ.size() + " tag(s) differ (" + named(differ) + ")");
      }
      out.put(d.key(), String.join(", ", parts));
    }
    return out;
  }

  private static String named(List<String> tags) {
    String shown = String.join(" ", tags.subList(0, Math.min(NAMED, tags.size())));
    return tags.size() > NAMED ? shown + " …" : shown;
  }

  private static String failures(TagSummary summary) {
    if (summary.failedTags().isEmpty()) {
      return "";
    }
    Map.Entry<String, String> first = summary.failedTags().entrySet().iterator().next();
    return "; " + first.getKey() + ": " + first.getValue() + (summary.failed() > 1 ? " (and " + (summary.failed() - 1) + " more)" : "");
  }
}
