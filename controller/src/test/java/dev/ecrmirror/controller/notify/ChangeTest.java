package dev.ecrmirror.controller.notify;

import static dev.ecrmirror.controller.notify.Outcomes.outcome;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.controller.RowOutcome.Action;
import dev.ecrmirror.controller.table.RowStatus;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which outcomes are changes worth an event: a status the run repeats is not. */
class ChangeTest {
  private static Optional<String> detailType(Action action, RowStatus before) {
    return Change.of(outcome("docker.io/library/redis:7", action, before)).map(c -> c.kind().detailType());
  }

  @Test
  void aCopyFinishingIsASuccessWhateverTheRowWasBefore() {
    assertThat(detailType(Action.MIRRORED, RowStatus.SUBMITTED)).contains("Mirror Succeeded");
    assertThat(detailType(Action.MIRRORED, RowStatus.NEW)).contains("Mirror Succeeded");
    assertThat(detailType(Action.MIRRORED, RowStatus.RETRYING)).contains("Mirror Succeeded");
  }

  @Test
  void aFailureIsReportedWhenItStartsOrTurnsPermanentNotOnEveryRun() {
    assertThat(detailType(Action.RETRYING, RowStatus.IN_SYNC)).contains("Mirror Failed");
    assertThat(detailType(Action.FAILED, RowStatus.RETRYING)).contains("Mirror Failed");
    assertThat(detailType(Action.RETRYING, RowStatus.RETRYING)).isEmpty();
    assertThat(detailType(Action.FAILED, RowStatus.FAILED)).isEmpty();
    assertThat(detailType(Action.CONFLICT, RowStatus.MIRRORED)).contains("Mirror Conflict");
    assertThat(detailType(Action.CONFLICT, RowStatus.CONFLICT)).isEmpty();
    assertThat(detailType(Action.DEFERRED, RowStatus.IN_SYNC)).contains("Mirror Deferred");
    assertThat(detailType(Action.INVALID, RowStatus.NEW)).contains("Mirror Invalid");
  }

  @Test
  void inSyncIsNewsOnlyAfterAFailure() {
    assertThat(detailType(Action.IN_SYNC, RowStatus.FAILED)).contains("Mirror Recovered");
    assertThat(detailType(Action.IN_SYNC, RowStatus.IN_SYNC)).isEmpty();
    assertThat(detailType(Action.IN_SYNC, RowStatus.MIRRORED)).isEmpty();
    assertThat(detailType(Action.IN_SYNC, RowStatus.NEW)).isEmpty();
    assertThat(detailType(Action.IN_SYNC, RowStatus.DEFERRED)).isEmpty();
  }

  @Test
  void jobsOnTheirWayAndRowsLeftAloneAreNoChange() {
    assertThat(detailType(Action.SUBMITTED, RowStatus.IN_SYNC)).isEmpty();
    assertThat(detailType(Action.JOB_ACTIVE, RowStatus.SUBMITTED)).isEmpty();
    assertThat(detailType(Action.DISABLED, RowStatus.FAILED)).isEmpty();
    assertThat(detailType(Action.CLAIMED_ELSEWHERE, RowStatus.IN_SYNC)).isEmpty();
    assertThat(detailType(Action.WOULD_SUBMIT, RowStatus.IN_SYNC)).isEmpty();
  }
}
