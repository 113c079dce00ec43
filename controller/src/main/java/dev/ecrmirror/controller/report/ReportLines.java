package dev.ecrmirror.controller.report;

import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.report.ReportLine;
import dev.ecrmirror.common.report.ReportLine.Outcome;
import dev.ecrmirror.controller.RowOutcome;
import dev.ecrmirror.controller.RowOutcome.Action;
import dev.ecrmirror.controller.drift.Check;
import dev.ecrmirror.controller.drift.RepositoryCheck;
import dev.ecrmirror.controller.drift.RepositoryCheck.TagCheck;
import dev.ecrmirror.controller.drift.RowCheck;
import dev.ecrmirror.controller.table.Destination;
import dev.ecrmirror.controller.table.MirrorRow;
import dev.ecrmirror.controller.table.MirrorTable;
import dev.ecrmirror.controller.table.ParsedRow;
import dev.ecrmirror.controller.table.RowState;
import dev.ecrmirror.controller.table.RowStatus;
import dev.ecrmirror.controller.table.TableException;
import dev.ecrmirror.controller.table.TagState;
import dev.ecrmirror.controller.table.TagStateTable;
import dev.ecrmirror.worker.DestinationResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Turns a sync's row outcomes into report lines: one per row and destination (and per tag of a
 * repository row), each with the digests before (what the run's check saw) and after (read back from
 * the table once the run is done) and the status word it was left in. A dry run's report lists only
 * what is not in sync: every drifted destination ({@code drift}, with why) and every one that could
 * not be checked.
 */
public final class ReportLines {
  /** Reads back what a sync wrote: the rows (consistently, in batches) and a repository row's tag states. */
  public interface Readback {
    /** The rows under these keys, by key. */
    Map<String, ParsedRow> rows(Collection<String> keys);

    /** A repository row's tag states, by tag. */
    Map<String, TagState> tags(String key);

    /** Reads back from these tables. */
    static Readback of(MirrorTable table, TagStateTable tags) {
      return new Readback() {
        @Override
        public Map<String, ParsedRow> rows(Collection<String> keys) {
          Map<String, ParsedRow> out = new HashMap<>();
          table.get(keys).forEach(row -> out.put(row.key(), row));
          return out;
        }

        @Override
        public Map<String, TagState> tags(String key) {
          return tags.read(key);
        }
      };
    }
  }

  private final RunRecorder recorded;
  private final boolean dryRun;
  private final Readback readback;
  private final Consumer<String> warnings;

  /**
   * @param warnings hears, in one line each, what could not be read back (the lines then leave the
   *     digests after empty)
   */
  public ReportLines(RunRecorder recorded, boolean dryRun, Readback readback, Consumer<String> warnings) {
    this.recorded = recorded;
    this.dryRun = dryRun;
    this.readback = readback;
    this.warnings = warnings;
  }

  /**
   * The report of these outcomes, rows in key order (each row's destinations in its order, a
   * repository row's tags in selection order); disabled rows are not checked, so not listed.
   */
  public List<ReportLine> of(List<RowOutcome> outcomes) {
    List<RowOutcome> listed = outcomes.stream().filter(o -> o.action() != Action.DISABLED)
        .sorted(Comparator.comparing(RowOutcome::key)).toList();
    Map<String, ParsedRow> after = dryRun ? Map.of() : readBack(listed);
    List<ReportLine> lines = new ArrayList<>();
    for (RowOutcome o : listed) {
      Optional<Check> check = recorded.check(o.key());
      ParsedRow read = after.get(o.key());
      if (o.action() == Action.INVALID) {
        lines.add(new ReportLine(o.key(), null, null, null, null, null, Outcome.INVALID, null, null,
            o.detail().orElse(null), null));
        continue;
      }
      Optional<MirrorRow> row = check.map(Check::row).or(() -> read instanceof MirrorRow m ? Optional.of(m) : Optional.empty());
      if (row.isEmpty()) {
        // Neither checked nor there to read back (deleted meanwhile, or a dry run's row with a job running).
        if (!dryRun) {
          lines.add(new ReportLine(o.key(), null, null, o.before().sourceDigest().orElse(null), null, null,
              outcome(o.action()), null, null, o.detail().orElse(null), null));
        }
        continue;
      }
      Optional<RowState> state = read == null ? Optional.empty() : Optional.of(read.state());
      if (row.get().isRepository()) {
        repository(o, row.get(), check.map(c -> (RepositoryCheck) c), lines);
      } else {
        image(o, row.get(), check.map(c -> (RowCheck) c), state, lines);
      }
    }
    return lines;
  }

  private Map<String, ParsedRow> readBack(List<RowOutcome> outcomes) {
    try {
      return readback.rows(outcomes.stream().map(RowOutcome::key).toList());
    } catch (TableException e) {
      warnings.accept("the rows could not be read back, so the report leaves the digests after empty: " + e.getMessage());
      return Map.of();
    }
  }

  /** A single-image row: one line per destination. */
  private void image(RowOutcome o, MirrorRow row, Optional<RowCheck> check, Optional<RowState> after,
      List<ReportLine> lines) {
    Outcome rowOutcome = outcome(o.action());
    String sourceDigest = check.flatMap(RowCheck::sourceDigest).map(Object::toString)
        .or(() -> after.flatMap(RowState::sourceDigest)).or(() -> o.before().sourceDigest()).orElse(null);
    Set<String> drifted = check.map(c -> c.drifted().stream().map(Destination::key).collect(Collectors.toSet()))
        .orElseGet(() -> Set.copyOf(o.drifted()));
    Map<String, String> why = check.map(RowCheck::why).orElse(o.why());
    for (Destination d : row.destinations()) {
      String key = d.key();
      // Before: what the check saw just now; for a row not checked, what the table last recorded.
      String before = check.isPresent() && !check.get().destinationErrors().containsKey(key)
          ? check.get().destinationDigests().get(key) : o.before().destinationDigests().get(key);
      String digest = dryRun ? before : after.map(s -> s.destinationDigests().get(key)).orElse(null);
      Optional<DestinationResult> copy = recorded.copy(o.key(), Optional.empty(), key);
      Outcome outcome;
      String error = null;
      Optional<Failure> failure = Optional.empty();
      if (check.isPresent() && check.get().failed()) {
        failure = check.get().failure();
        outcome = Outcome.of(failure.get().kind());
        error = failure.get().message();
      } else if (o.destinationErrors().containsKey(key)) {
        error = o.destinationErrors().get(key);
        failure = check.map(c -> c.destinationErrors().get(key)).or(() -> copy.flatMap(DestinationResult::failure));
        // The table keeps no kind per destination: without one seen in this run, the row's status tells.
        outcome = failure.map(f -> Outcome.of(f.kind())).orElse(rowOutcome.failure() ? rowOutcome : Outcome.RETRYING);
      } else if (drifted.contains(key)) {
        if (dryRun) {
          outcome = Outcome.DRIFT;
          error = why.get(key);
        } else if (copy.isPresent() && copy.get().ok()) {
          outcome = Outcome.MIRRORED;
        } else if (rowOutcome.failure()) {
          outcome = rowOutcome;
          error = o.detail().orElse(null);
        } else {
          outcome = rowOutcome;
        }
      } else if (check.isEmpty() && rowOutcome == Outcome.SUBMITTED) {
        // A job still running (or claimed by another controller): it carries the destinations not at the source digest.
        outcome = digest != null && digest.equals(sourceDigest) ? Outcome.IN_SYNC : Outcome.SUBMITTED;
      } else if (o.action() == Action.MIRRORED && !Objects.equals(o.before().destinationDigests().get(key), digest)) {
        // The job this run found ended wrote it.
        outcome = Outcome.MIRRORED;
      } else {
        outcome = Outcome.IN_SYNC;
      }
      if (dryRun && outcome == Outcome.IN_SYNC) {
        continue;
      }
      lines.add(line(o.key(), null, key, sourceDigest, before, digest, outcome, copy, error, failure));
    }
  }

  /** A repository row: one line per selected tag and destination. */
  private void repository(RowOutcome o, MirrorRow row, Optional<RepositoryCheck> check, List<ReportLine> lines) {
    Outcome rowOutcome = outcome(o.action());
    if (check.isPresent() && check.get().failed()) {
      // Its listing failed: no tag was judged.
      for (Destination d : row.destinations()) {
        lines.add(line(o.key(), null, d.key(), null, null, null, rowOutcome, Optional.empty(),
            check.get().error().orElse(o.detail().orElse(null)), Optional.empty()));
      }
      return;
    }
    Map<String, TagState> after = dryRun ? Map.of() : tagsAfter(o.key());
    if (check.isEmpty()) {
      notChecked(o, row, rowOutcome, after, lines);
      return;
    }
    for (TagCheck t : check.get().tags()) {
      TagState at = after.get(t.tag());
      TagState previous = check.get().previous().get(t.tag());
      String sourceDigest = t.sourceDigest().map(Object::toString).orElse(null);
      for (Destination d : row.destinations()) {
        String key = d.key();
        String before = t.destinationDigests().get(key);
        String digest = dryRun || at == null ? before : at.destinationDigests().get(key);
        Optional<DestinationResult> copy = recorded.copy(o.key(), Optional.of(t.tag()), key);
        Optional<Failure> failure = copy.flatMap(DestinationResult::failure);
        Outcome outcome;
        String error = null;
        if (t.error().isPresent()) {
          outcome = at != null && outcome(at.status()).failure() ? outcome(at.status()) : Outcome.FAILED;
          error = t.error().get();
        } else if (t.drifted().contains(d)) {
          if (dryRun) {
            outcome = Outcome.DRIFT;
            error = t.why().get(key);
          } else if (copy.isPresent()) {
            outcome = failure.map(f -> Outcome.of(f.kind())).orElse(Outcome.MIRRORED);
            error = copy.get().error().orElse(null);
          } else if (at != null && at.status() != RowStatus.DRIFT) {
            outcome = outcome(at.status());
            error = outcome.failure() ? at.lastError().orElse(null) : null;
          } else {
            // Its job was not started (another controller claimed the row, or starting it failed).
            outcome = rowOutcome;
            error = rowOutcome.failure() ? o.detail().orElse(null) : null;
          }
        } else if (at != null && at.status() == RowStatus.MIRRORED && previous != null
            && previous.status() == RowStatus.SUBMITTED) {
          // The job this run found ended wrote it.
          outcome = Outcome.MIRRORED;
        } else {
          outcome = Outcome.IN_SYNC;
        }
        if (dryRun && outcome == Outcome.IN_SYNC) {
          continue;
        }
        lines.add(line(o.key(), t.tag(), key, sourceDigest, before, digest, outcome, copy, error, failure));
      }
    }
  }

  /** A repository row this run did not check (its jobs still running, or some failed): its tags as the table has them. */
  private void notChecked(RowOutcome o, MirrorRow row, Outcome rowOutcome, Map<String, TagState> after,
      List<ReportLine> lines) {
    if (dryRun) {
      return;
    }
    if (after.isEmpty()) {
      for (Destination d : row.destinations()) {
        lines.add(line(o.key(), null, d.key(), null, null, null, rowOutcome, Optional.empty(),
            rowOutcome.failure() ? o.detail().orElse(null) : null, Optional.empty()));
      }
      return;
    }
    for (TagState at : after.values()) {
      String sourceDigest = at.sourceDigest().orElse(null);
      for (Destination d : row.destinations()) {
        String digest = at.destinationDigests().get(d.key());
        Outcome outcome = switch (at.status()) {
          case NEW, IN_SYNC, MIRRORED -> Outcome.IN_SYNC;
          case SUBMITTED, DRIFT -> digest != null && digest.equals(sourceDigest) ? Outcome.IN_SYNC : Outcome.SUBMITTED;
          default -> outcome(at.status());
        };
        // Nothing this run did moved a destination: before and after are what the table holds.
        lines.add(line(o.key(), at.tag(), d.key(), sourceDigest, digest, digest, outcome, Optional.empty(),
            outcome.failure() ? at.lastError().orElse(null) : null, Optional.empty()));
      }
    }
  }

  private Map<String, TagState> tagsAfter(String key) {
    try {
      return readback.tags(key);
    } catch (TableException e) {
      warnings.accept("the tags of " + key + " could not be read back, so the report leaves their digests after empty: "
          + e.getMessage());
      return new HashMap<>();
    }
  }

  private static ReportLine line(String source, String tag, String destination, String sourceDigest, String before,
      String digest, Outcome outcome, Optional<DestinationResult> copy, String error, Optional<Failure> failure) {
    return new ReportLine(source, tag, destination, sourceDigest, before, digest, outcome,
        copy.map(DestinationResult::bytesUploaded).orElse(null),
        copy.map(c -> c.elapsed().toMillis() / 1000.0).orElse(null), error,
        failure.map(f -> ReportLine.kindWord(f.kind())).orElse(null));
  }

  /** The outcome a row's action reports. */
  static Outcome outcome(Action action) {
    return switch (action) {
      case IN_SYNC, DISABLED -> Outcome.IN_SYNC;
      case MIRRORED -> Outcome.MIRRORED;
      case SUBMITTED, JOB_ACTIVE, CLAIMED_ELSEWHERE -> Outcome.SUBMITTED;
      case WOULD_SUBMIT -> Outcome.DRIFT;
      case RETRYING -> Outcome.RETRYING;
      case DEFERRED -> Outcome.DEFERRED;
      case FAILED -> Outcome.FAILED;
      case CONFLICT -> Outcome.CONFLICT;
      case INVALID -> Outcome.INVALID;
    };
  }

  /** The outcome a stored status reports. */
  static Outcome outcome(RowStatus status) {
    return switch (status) {
      case NEW, IN_SYNC -> Outcome.IN_SYNC;
      case MIRRORED -> Outcome.MIRRORED;
      case DRIFT -> Outcome.DRIFT;
      case SUBMITTED -> Outcome.SUBMITTED;
      case RETRYING -> Outcome.RETRYING;
      case FAILED -> Outcome.FAILED;
      case CONFLICT -> Outcome.CONFLICT;
      case DEFERRED -> Outcome.DEFERRED;
      case INVALID -> Outcome.INVALID;
    };
  }
}
