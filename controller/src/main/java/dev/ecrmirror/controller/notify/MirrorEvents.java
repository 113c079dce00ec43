package dev.ecrmirror.controller.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecrmirror.controller.RowOutcome;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResultEntry;

/**
 * Puts one EventBridge event per row whose outcome changed ({@code source: ecr-mirror}, detail type
 * per {@link Change.Kind}), so users route them anywhere with rules.
 */
public final class MirrorEvents {
  /** The {@code source} of every event. */
  public static final String SOURCE = "ecr-mirror";
  /** PutEvents takes at most 10 entries per call. */
  static final int BATCH = 10;
  /** An event's detail stays far below EventBridge's 256 KB whatever the errors say. */
  private static final int MAX_ERROR = 1000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Supplier<EventBridgeClient> client;
  private final String bus;
  private final Clock clock;

  /** Events go to {@code bus}: a name ({@code default}) or an ARN. */
  public MirrorEvents(Supplier<EventBridgeClient> client, String bus, Clock clock) {
    this.client = client;
    this.bus = bus;
    this.clock = clock;
  }

  /** How a publication went: events taken, and why others were not (empty when all were). */
  public record Published(int sent, int failed, List<String> reasons) {}

  /** Puts the run's changes, 10 per call; what the service refused is counted and said, not thrown. */
  public Published publish(RunSummary run) {
    List<PutEventsRequestEntry> entries = run.changes().stream().map(c -> entry(run, c)).toList();
    if (entries.isEmpty()) {
      return new Published(0, 0, List.of());
    }
    EventBridgeClient eventBridge = client.get();
    int sent = 0;
    int failed = 0;
    List<String> reasons = new ArrayList<>();
    for (int i = 0; i < entries.size(); i += BATCH) {
      List<PutEventsRequestEntry> batch = entries.subList(i, Math.min(entries.size(), i + BATCH));
      try {
        PutEventsResponse response = eventBridge.putEvents(r -> r.entries(batch));
        int refused = response.failedEntryCount() == null ? 0 : response.failedEntryCount();
        sent += batch.size() - refused;
        failed += refused;
        response.entries().stream().map(PutEventsResultEntry::errorCode).filter(c -> c != null)
            .distinct().forEach(c -> addReason(reasons, c));
      } catch (SdkException e) {
        failed += batch.size();
        addReason(reasons, e.getMessage());
      }
    }
    return new Published(sent, failed, reasons);
  }

  private static void addReason(List<String> reasons, String reason) {
    if (reasons.size() < 3 && !reasons.contains(reason)) {
      reasons.add(reason);
    }
  }

  private PutEventsRequestEntry entry(RunSummary run, Change change) {
    return PutEventsRequestEntry.builder().eventBusName(bus).source(SOURCE).time(clock.instant())
        .detailType(change.kind().detailType()).resources(List.of()).detail(detail(run, change).toString()).build();
  }

  /** The event's detail: which row, where it goes, what it became and from what, why, and which job. */
  static ObjectNode detail(RunSummary run, Change change) {
    RowOutcome o = change.outcome();
    ObjectNode d = JSON.createObjectNode();
    d.put("source", o.key());
    d.put("table", run.table());
    var destinations = d.putArray("destinations");
    run.destinationsOf(o).forEach(destinations::add);
    d.put("status", change.after().label());
    d.put("previousStatus", change.before().label());
    if (change.kind() != Change.Kind.SUCCEEDED && change.kind() != Change.Kind.RECOVERED) {
      RunSummary.error(o).ifPresent(e -> d.put("error", cut(e)));
    }
    ObjectNode errors = d.putObject("destinationErrors");
    for (Map.Entry<String, String> e : o.destinationErrors().entrySet()) {
      errors.put(e.getKey(), cut(e.getValue()));
    }
    o.jobId().or(() -> o.before().jobId()).ifPresent(j -> d.put("jobId", j));
    return d;
  }

  private static String cut(String s) {
    return s.length() <= MAX_ERROR ? s : s.substring(0, MAX_ERROR - 1) + "…";
  }
}
