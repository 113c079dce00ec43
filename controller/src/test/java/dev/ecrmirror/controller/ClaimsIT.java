package dev.ecrmirror.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.testing.SimulatedTime;
import dev.ecrmirror.controller.table.MirrorTable;
import dev.ecrmirror.controller.table.MirrorTable.Takeover;
import dev.ecrmirror.controller.table.RowStatus;
import dev.ecrmirror.controller.table.StatusUpdate;
import dev.ecrmirror.controller.testing.LocalDynamo;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Claims as leases on DynamoDB Local, with a clock the test moves: renewal keeps a claim, lapse loses it. */
class ClaimsIT {
  @RegisterExtension
  static LocalDynamo dynamo = new LocalDynamo();

  static final String ROW = "src.example/app:1";
  static final Duration LEASE = Duration.ofMinutes(15);

  DynamoDbClient ddb;
  MirrorTable table;
  SimulatedTime clock;

  @BeforeEach
  void freshTable() {
    ddb = dynamo.clients(null, null, null).dynamo();
    table = dynamo.newTable(ddb);
    LocalDynamo.putItem(ddb, table, Map.of("Source", AttributeValue.fromS(ROW),
        "Destination", AttributeValue.fromS("dst.example/app:1")));
    clock = new SimulatedTime(Instant.parse("2026-12-01T00:00:00Z"));
  }

  Claims claims() {
    return new Claims(table, clock, LEASE, LEASE.dividedBy(3));
  }

  /** What a second controller sees: the row's token, to take over with. */
  Optional<String> token() {
    return Optional.ofNullable(LocalDynamo.getItem(ddb, table, ROW).get("ClaimToken")).map(AttributeValue::s);
  }

  @Test
  void aLeaseRenewedByItsHeartbeatIsNotTakenOverAndOneLeftToLapseIs() {
    Claims.Claim a = claims().take(ROW, Optional.empty(), Takeover.NONE, new StatusUpdate()).orElseThrow();
    assertThat(claims().take(ROW, token(), Takeover.NONE, new StatusUpdate())).as("a claimed row is not claimed again").isEmpty();

    clock.advance(Duration.ofMinutes(10));
    a.renew();                                   // the holder's heartbeat: lease now runs to minute 25
    clock.advance(Duration.ofMinutes(6));        // minute 16: past the first lease, inside the renewed one
    assertThat(claims().take(ROW, token(), Takeover.EXPIRED_LEASE, new StatusUpdate()))
        .as("a lease its holder still renews is not taken over").isEmpty();
    assertThat(a.held()).isTrue();

    clock.advance(Duration.ofMinutes(30));       // the holder stalled: no renewal since minute 10
    Optional<Claims.Claim> b = claims().take(ROW, token(), Takeover.EXPIRED_LEASE, new StatusUpdate());
    assertThat(b).as("a lapsed lease is taken over").isPresent();
    assertThat(a.held()).as("the stalled holder learns it lost the claim and must not start a job").isFalse();
    assertThat(a.write(new StatusUpdate().set("JobId", "late-job"))).as("nor record one").isFalse();
    assertThat(b.get().write(new StatusUpdate().set("JobId", "job-b"))).isTrue();
    assertThat(LocalDynamo.getItem(ddb, table, ROW).get("JobId").s()).isEqualTo("job-b");
  }

  @Test
  void aClaimWithAJobIsNeverTakenOverForAnExpiredLease() {
    Claims.Claim a = claims().take(ROW, Optional.empty(), Takeover.NONE, new StatusUpdate()).orElseThrow();
    a.write(new StatusUpdate().set("JobId", "job-a"));
    clock.advance(Duration.ofHours(2));
    assertThat(claims().take(ROW, token(), Takeover.EXPIRED_LEASE, new StatusUpdate()))
        .as("its job's state decides, not the lease").isEmpty();
    assertThat(LocalDynamo.getItem(ddb, table, ROW).get("MirrorStatus").s()).isEqualTo(RowStatus.SUBMITTED.label());
  }
}
