package dev.ecrmirror.controller.notify;

import dev.ecrmirror.controller.RowOutcome;
import dev.ecrmirror.controller.RowOutcome.Action;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one Slack message of a run (mrkdwn text): a summary line, the failing rows, then the rows that
 * changed, at most {@link #MAX_LINES} rows in all whatever the table's size.
 *
 * @param header the first line, in bold (lambda-ecr-image-sync's message header)
 * @param subject a second line, if any (its subject)
 * @param errorsOnly post only when some row is failing, and list only those
 */
public record SlackMessage(String header, Optional<String> subject, boolean errorsOnly) {
  /** Rows listed at most; the rest are counted ("…and 12 more"). */
  public static final int MAX_LINES = 20;
  /** A listed row's line is cut here: an error can be a page long. */
  private static final int MAX_LINE = 300;

  /** The message, or empty when the run has nothing to report: nothing changed and nothing is failing (errors-only: nothing failing). */
  public Optional<String> text(RunSummary run) {
    List<RowOutcome> failing = run.failing();
    Set<String> failingKeys = failing.stream().map(RowOutcome::key).collect(Collectors.toSet());
    Map<String, Change> changes = new LinkedHashMap<>();
    run.changes().forEach(c -> changes.put(c.outcome().key(), c));
    List<Change> otherChanges = errorsOnly ? List.of()
        : changes.values().stream().filter(c -> !failingKeys.contains(c.outcome().key())).toList();
    if (failing.isEmpty() && (errorsOnly || otherChanges.isEmpty())) {
      return Optional.empty();
    }
    StringBuilder text = new StringBuilder();
    text.append('*').append(escape(header)).append("*\n");
    subject.ifPresent(s -> text.append(escape(s)).append('\n'));
    text.append(escape(summary(run, failing.size()))).append('\n');

    List<String> lines = new ArrayList<>();
    for (RowOutcome o : failing) {
      Change c = changes.get(o.key());
      String status = Change.statusLeft(o.action()).map(Object::toString).orElse(o.action().toString());
      lines.add("• `" + o.key() + "` " + status + (c != null ? " (new)" : "")
          + RunSummary.error(o).map(e -> ": " + e).orElse(""));
    }
    for (Change c : otherChanges) {
      RowOutcome o = c.outcome();
      String line = switch (c.kind()) {
        case SUCCEEDED -> "mirrored" + o.jobId().or(() -> o.before().jobId()).map(j -> " (job " + j + ")").orElse("");
        case RECOVERED -> "in sync again (was " + c.before() + ")";
        default -> c.after() + RunSummary.error(o).map(e -> ": " + e).orElse("");
      };
      lines.add("• `" + o.key() + "` " + line);
    }
    int listed = 0;
    for (int i = 0; i < lines.size() && listed < MAX_LINES; i++, listed++) {
      if (i == 0 && !failing.isEmpty()) {
        text.append("*Failing (").append(failing.size()).append(")*\n");
      }
      if (i == failing.size()) {
        text.append("*Changed (").append(otherChanges.size()).append(")*\n");
      }
      text.append(escape(cut(lines.get(i)))).append('\n');
    }
    if (lines.size() > listed) {
      text.append("…and ").append(lines.size() - listed).append(" more (`table list` shows every row)\n");
    }
    return Optional.of(text.toString().stripTrailing());
  }

  /** {@code 120 rows: 2 mirrored, 3 failing, 115 in sync · 42 s · table ecr-mirror}. */
  private static String summary(RunSummary run, int failing) {
    List<String> parts = new ArrayList<>();
    long mirrored = run.count(Action.MIRRORED);
    long submitted = run.count(Action.SUBMITTED);
    long deferred = run.count(Action.DEFERRED);
    long inSync = run.count(Action.IN_SYNC);
    if (mirrored > 0) {
      parts.add(mirrored + " mirrored");
    }
    if (submitted > 0) {
      parts.add(submitted + " submitted");
    }
    if (failing > 0) {
      parts.add(failing + " failing");
    }
    if (deferred > 0) {
      parts.add(deferred + " deferred");
    }
    parts.add(inSync + " in sync");
    long seconds = Math.max(0, Math.round(run.duration().toMillis() / 1000.0));
    return run.outcomes().size() + " row" + (run.outcomes().size() == 1 ? "" : "s") + ": " + String.join(", ", parts)
        + " · " + seconds + " s · table " + run.table() + (run.mode().equals("events") ? " (push events)" : "");
  }

  private static String cut(String line) {
    return line.length() <= MAX_LINE ? line : line.substring(0, MAX_LINE - 1) + "…";
  }

  /** Slack's mrkdwn needs only these three escaped. */
  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
