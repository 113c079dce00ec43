package dev.ecrmirror.worker;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecrmirror.common.report.ReportLine;
import dev.ecrmirror.common.retry.RetryPolicy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClientBuilder;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;

/**
 * Puts one EventBridge event for a worker run's result ({@code source: ecr-mirror}, detail type
 * {@value #SUCCEEDED} or {@value #FAILED}), so users route a job's outcome anywhere with rules.
 */
final class WorkerEvent {
  static final String SOURCE = "ecr-mirror";
  static final String SUCCEEDED = "Mirror Job Succeeded";
  static final String FAILED = "Mirror Job Failed";
  /** An entry may be 256 KB; the detail stays well under it, whatever a repository run of many tags did. */
  static final int MAX_DETAIL = 200_000;
  /** One error stays readable and small. */
  private static final int MAX_ERROR = 1000;

  private final String bus;
  private final Optional<URI> endpoint;

  /** Events go to {@code bus} (a name such as {@code default}, or an ARN), at {@code endpoint} when given. */
  WorkerEvent(String bus, Optional<URI> endpoint) {
    this.bus = bus;
    this.endpoint = endpoint;
  }

  /** Puts the run's event; empty when it was taken, else why not (never thrown: the run's result stands). */
  Optional<String> put(RunResult run, Optional<String> jobId, Instant time) {
    PutEventsRequestEntry entry = PutEventsRequestEntry.builder().eventBusName(bus).source(SOURCE).time(time)
        .detailType(run.exitCode() == 0 ? SUCCEEDED : FAILED).detail(detail(run, jobId).toString()).build();
    try (EventBridgeClient client = client()) {
      PutEventsResponse response = client.putEvents(r -> r.entries(entry));
      if (response.failedEntryCount() != null && response.failedEntryCount() > 0) {
        return Optional.of(response.entries().stream().map(e -> e.errorCode() + ": " + e.errorMessage())
            .findFirst().orElse("refused"));
      }
      return Optional.empty();
    } catch (SdkException | IllegalArgumentException e) {
      // No region or no credentials fail building or calling the client: the same one line.
      return Optional.of(String.valueOf(e.getMessage()));
    }
  }

  /** The light HTTP client (fast start-up), the project's retry policy, and a bound on how long a put may take. */
  private EventBridgeClient client() {
    EventBridgeClientBuilder builder = EventBridgeClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(5)).socketTimeout(Duration.ofSeconds(10)))
        .overrideConfiguration(c -> c.retryStrategy(RetryPolicy.defaults().awsStrategy())
            .apiCallTimeout(Duration.ofSeconds(30)));
    endpoint.ifPresent(builder::endpointOverride);
    return builder.build();
  }

  /**
   * The event's detail: the source, the job, the exit code, counts, and per destination (and tag) a
   * run report line (docs/report.md). Lines in sync are left out first, then the rest past the size
   * bound, and {@code omitted} says how many.
   */
  static ObjectNode detail(RunResult run, Optional<String> jobId) {
    ObjectNode d = JsonNodeFactory.instance.objectNode();
    d.put("source", run.source());
    jobId.ifPresent(j -> d.put("jobId", j));
    d.put("exitCode", run.exitCode());
    d.put("copied", run.copied());
    d.put("inSync", run.inSync());
    d.put("failed", run.failed());
    d.put("bytesCopied", run.bytesCopied());
    List<ObjectNode> lines = new ArrayList<>();
    for (ReportLine l : run.lines()) {
      ObjectNode node = l.into(JsonNodeFactory.instance.objectNode());
      if (l.error() != null && l.error().length() > MAX_ERROR) {
        node.put("error", l.error().substring(0, MAX_ERROR - 1) + "…");
      }
      lines.add(node);
    }
    int size = bytes(d) + lines.stream().mapToInt(n -> bytes(n) + 1).sum();
    if (size > MAX_DETAIL) {
      lines.removeIf(n -> n.path("outcome").asText().equals(ReportLine.Outcome.IN_SYNC.toString()));
    }
    ArrayNode destinations = d.putArray("destinations");
    int used = bytes(d) + 40;
    int omitted = run.lines().size() - lines.size();
    for (ObjectNode n : lines) {
      int length = bytes(n) + 1;
      if (used + length > MAX_DETAIL) {
        omitted++;
        continue;
      }
      used += length;
      destinations.add(n);
    }
    if (omitted > 0) {
      d.put("omitted", omitted);
    }
    return d;
  }

  private static int bytes(ObjectNode node) {
    return node.toString().getBytes(StandardCharsets.UTF_8).length;
  }
}
