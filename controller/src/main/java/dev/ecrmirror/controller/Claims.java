package dev.ecrmirror.controller;

import static dev.ecrmirror.controller.table.Attributes.CLAIM_TOKEN;
import static dev.ecrmirror.controller.table.Attributes.JOB_ID;
import static dev.ecrmirror.controller.table.Attributes.LEASE_UNTIL;

import dev.ecrmirror.controller.table.MirrorTable;
import dev.ecrmirror.controller.table.MirrorTable.Takeover;
import dev.ecrmirror.controller.table.RowStatus;
import dev.ecrmirror.controller.table.StatusUpdate;
import dev.ecrmirror.controller.table.TableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims on rows, each a lease: taken with a compare-and-swap on the claim token, renewed by a
 * heartbeat while its job is being started or run, and checked just before a job is started. A
 * holder whose renewal finds the token changed has lost the claim to a controller that took it
 * over after the lease ran out; it stops acting on the row and says so.
 */
final class Claims {
  private static final Logger LOG = LoggerFactory.getLogger(Claims.class);

  private final MirrorTable table;
  private final Clock clock;
  private final Duration lease;
  private final Duration renewEvery;

  Claims(MirrorTable table, Clock clock, Duration lease, Duration renewEvery) {
    this.table = table;
    this.clock = clock;
    this.lease = lease;
    this.renewEvery = renewEvery;
  }

  /**
   * Takes the claim on a row with {@code update} (its status becomes {@code submitted}, with a new
   * token and lease); empty when another controller's claim came first.
   */
  Optional<Claim> take(String key, Optional<String> seenToken, Takeover takeover, StatusUpdate update) {
    String token = UUID.randomUUID().toString();
    Instant now = clock.instant();
    Instant until = now.plus(lease);
    update.status(RowStatus.SUBMITTED).set(CLAIM_TOKEN, token).set(LEASE_UNTIL, until.toEpochMilli()).remove(JOB_ID);
    if (!table.claim(key, seenToken, takeover, now, update)) {
      return Optional.empty();
    }
    return Optional.of(new Claim(key, token, until));
  }

  /** One claim held by this controller. */
  final class Claim implements AutoCloseable {
    private final String key;
    private final String token;
    private volatile Instant leaseUntil;
    private volatile boolean lost;
    private ScheduledFuture<?> heartbeat;

    private Claim(String key, String token, Instant leaseUntil) {
      this.key = key;
      this.token = token;
      this.leaseUntil = leaseUntil;
    }

    String token() {
      return token;
    }

    /** Renews the lease every {@code renewEvery} until closed. */
    Claim heartbeat(ScheduledExecutorService heartbeats) {
      long every = Math.max(1, renewEvery.toMillis());
      heartbeat = heartbeats.scheduleAtFixedRate(this::renew, every, every, TimeUnit.MILLISECONDS);
      return this;
    }

    /**
     * Renews the lease once. A renewal refused means the claim was taken over: logged as an error,
     * once, and {@link #held()} is false from then on. A renewal that could not be written (the
     * table unreachable) leaves the lease to run out, which {@link #held()} also notices.
     */
    void renew() {
      if (lost) {
        return;
      }
      Instant until = clock.instant().plus(lease);
      try {
        if (table.renew(key, token, until)) {
          leaseUntil = until;
        } else {
          lost = true;
          LOG.error("{}: lost the claim to another controller (this one's lease ran out before it renewed it);"
              + " stopping work on this row, which the other controller now owns", key);
        }
      } catch (TableException e) {
        LOG.warn("{}: renewing the claim failed ({}); it lapses at {} unless a later renewal gets through",
            key, e.getMessage(), leaseUntil);
      }
    }

    /** Renews now and says whether the claim is still this controller's, with lease left: checked before starting a job. */
    boolean held() {
      renew();
      return !lost && clock.instant().isBefore(leaseUntil);
    }

    /** Writes an update while the row still carries this claim; false when it no longer does. */
    boolean write(StatusUpdate update) {
      return table.updateIfClaimed(key, token, update);
    }

    @Override
    public void close() {
      if (heartbeat != null) {
        heartbeat.cancel(false);
      }
    }
  }
}
