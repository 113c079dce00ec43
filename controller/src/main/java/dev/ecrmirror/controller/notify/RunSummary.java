package dev.ecrmirror.controller.notify;

import dev.ecrmirror.controller.RowOutcome;
import dev.ecrmirror.controller.RowOutcome.Action;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one {@code sync} run did, as events, Slack and metrics report it: every row's outcome, and
 * what is known of each row's destinations.
 *
 * @param table the mirror table's name
 * @param mode {@code sync} for a scan of the table, {@code events} for a run on push events
 * @param outcomes every row's outcome, in table order
 * @param destinations each checked row's destination keys, by row key (rows not checked are absent)
 * @param startedAt when the run began
 * @param duration how long it took
 */
public record RunSummary(String table, String mode, List<RowOutcome> outcomes, Map<String, List<String>> destinations,
    Instant startedAt, Duration duration) {

  public RunSummary {
    outcomes = List.copyOf(outcomes);
    destinations = Map.copyOf(destinations);
  }

  /** The rows whose outcome changed, in table order. */
  public List<Change> changes() {
    List<Change> out = new ArrayList<>();
    for (RowOutcome o : outcomes) {
      Change.of(o).ifPresent(out::add);
    }
    return out;
  }

  /** The rows that make {@code sync} exit 1: retrying, failed, conflict, invalid, or a destination failed. */
  public List<RowOutcome> failing() {
    return outcomes.stream().filter(o -> !o.ok()).toList();
  }

  /** How many rows ended the run with this action. */
  public long count(Action action) {
    return outcomes.stream().filter(o -> o.action() == action).count();
  }

  /** Rows whose check found drifted destinations (copied, submitted or held back). */
  public long drifted() {
    return outcomes.stream().filter(o -> !o.drifted().isEmpty()).count();
  }

  /**
   * A row's destinations: those the check saw, else what its outcome names (drifted ones, failed
   * ones, those whose digests the table held).
   */
  public List<String> destinationsOf(RowOutcome o) {
    List<String> known = destinations.get(o.key());
    if (known != null) {
      return known;
    }
    Set<String> named = new LinkedHashSet<>(o.drifted());
    named.addAll(o.destinationErrors().keySet());
    named.addAll(o.before().destinationDigests().keySet());
    return List.copyOf(named);
  }

  /** Why a row is not well: its destinations' errors, else its detail. */
  public static Optional<String> error(RowOutcome o) {
    if (!o.destinationErrors().isEmpty()) {
      List<String> each = new ArrayList<>();
      o.destinationErrors().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(e -> each.add(e.getKey() + ": " + e.getValue()));
      return Optional.of(String.join("; ", each));
    }
    return o.detail();
  }
}
