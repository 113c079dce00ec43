package dev.ecrmirror.controller.notify;

import static dev.ecrmirror.controller.notify.Outcomes.outcome;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.controller.RowOutcome;
import dev.ecrmirror.controller.RowOutcome.Action;
import dev.ecrmirror.controller.table.RowStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The run's one Slack message: what failed first, what changed, bounded whatever the table's size. */
class SlackMessageTest {
  private static final SlackMessage ALL = new SlackMessage("ecr-mirror", Optional.of("prod mirror"), false);
  private static final SlackMessage ERRORS_ONLY = new SlackMessage("ecr-mirror", Optional.empty(), true);

  @Test
  void listsFailuresThenChangesUnderASummary() {
    List<RowOutcome> outcomes = List.of(
        outcome("docker.io/library/redis:7", Action.MIRRORED, RowStatus.SUBMITTED),
        outcome("docker.io/library/postgres:16", Action.FAILED, RowStatus.IN_SYNC, null,
            Map.of("123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/postgres:16", "access denied <AccessDenied>")),
        outcome("quay.io/prometheus/prometheus:v3", Action.RETRYING, RowStatus.RETRYING, "quay.io: HTTP 503", Map.of()),
        outcome("docker.io/library/nginx:1", Action.IN_SYNC, RowStatus.IN_SYNC));

    String text = ALL.text(Outcomes.run(outcomes)).orElseThrow();

    assertThat(text).isEqualTo("""
        *ecr-mirror*
        prod mirror
        4 rows: 1 mirrored, 2 failing, 1 in sync · 42 s · table ecr-mirror
        *Failing (2)*
        • `docker.io/library/postgres:16` failed (new): 123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/postgres:16: \
        access denied &lt;AccessDenied&gt;
        • `quay.io/prometheus/prometheus:v3` retrying: quay.io: HTTP 503
        *Changed (1)*
        • `docker.io/library/redis:7` mirrored""");
  }

  @Test
  void nothingToReportIsNoMessage() {
    List<RowOutcome> quiet = List.of(outcome("a:1", Action.IN_SYNC, RowStatus.IN_SYNC),
        outcome("b:1", Action.SUBMITTED, RowStatus.IN_SYNC));
    assertThat(ALL.text(Outcomes.run(quiet))).isEmpty();
    List<RowOutcome> copied = List.of(outcome("a:1", Action.MIRRORED, RowStatus.SUBMITTED));
    assertThat(ALL.text(Outcomes.run(copied))).isPresent();
    assertThat(ERRORS_ONLY.text(Outcomes.run(copied))).as("errors only, and all succeeded").isEmpty();
  }

  @Test
  void errorsOnlyListsOnlyTheFailingRows() {
    List<RowOutcome> outcomes = List.of(outcome("a:1", Action.MIRRORED, RowStatus.SUBMITTED),
        outcome("b:1", Action.CONFLICT, RowStatus.CONFLICT, "tag 1 is immutable", Map.of()));
    String text = ERRORS_ONLY.text(Outcomes.run(outcomes)).orElseThrow();
    assertThat(text).contains("`b:1` conflict: tag 1 is immutable").doesNotContain("`a:1`", "Changed");
  }

  @Test
  void aThousandFailuresMakeTwentyLinesAndACount() {
    List<RowOutcome> outcomes = new ArrayList<>();
    IntStream.range(0, 1000).forEach(i -> outcomes.add(
        outcome("docker.io/library/app:" + i, Action.FAILED, RowStatus.FAILED, "x".repeat(5000), Map.of())));
    String text = ALL.text(Outcomes.run(outcomes)).orElseThrow();
    assertThat(text.lines().filter(l -> l.startsWith("• "))).hasSize(SlackMessage.MAX_LINES);
    assertThat(text).endsWith("…and 980 more (`table list` shows every row)");
    assertThat(text.length()).isLessThan(8000);
  }
}
