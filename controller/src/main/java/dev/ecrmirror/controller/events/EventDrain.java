package dev.ecrmirror.controller.events;

import dev.ecrmirror.common.aws.AwsErrors;
import dev.ecrmirror.controller.Controller;
import dev.ecrmirror.controller.RowOutcome;
import dev.ecrmirror.controller.table.Attributes;
import dev.ecrmirror.controller.table.MirrorRow;
import dev.ecrmirror.controller.table.MirrorTable;
import dev.ecrmirror.controller.table.ParsedRow;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Drains the events queue: receives the ECR push events EventBridge put there, checks the rows
 * each touches, and deletes a message only once its rows were handled. A message whose rows
 * failed stays, comes back after the visibility timeout, and after enough tries goes to the
 * dead-letter queue by the queue's redrive policy.
 *
 * <p>A row whose earlier job is still queued or running needs care: keeping the message on every
 * run would burn one receive per events run (every ECR push starts one, the worker's own pushes
 * included) and send it to the dead-letter queue while a long copy runs, though nothing failed.
 * So: when the running job is for the very digest this event pushed ({@code ClaimedDigest}), the
 * push is already being mirrored and the message is deleted. When the push is of another digest,
 * the running job will not copy it, and only reconciling the row after the job re-checks it; an
 * events run reconciles only the rows its messages touch, and with the schedule off nothing else
 * would, so the message is kept, but hidden for {@link #WAIT_FOR_JOB} rather than the usual
 * visibility timeout, so it is received about once per that period while the job runs.
 */
public final class EventDrain {
  private static final Logger LOG = LoggerFactory.getLogger(EventDrain.class);
  /** How long a message waits for a running job of another digest before it is looked at again. */
  static final int WAIT_FOR_JOB = 3600;
  /** How long a received message stays hidden; one whose rows failed comes back after this. */
  private static final int VISIBILITY = 300;

  private final SqsClient sqs;
  private final String queueUrl;
  private final MirrorTable table;
  private final Controller controller;
  private final int scanSegments;
  private final int maxMessages;

  public EventDrain(SqsClient sqs, String queueUrl, MirrorTable table, Controller controller, int scanSegments,
      int maxMessages) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
    this.table = table;
    this.controller = controller;
    this.scanSegments = scanSegments;
    this.maxMessages = maxMessages;
  }

  /** What one drain did. */
  public record Result(int received, int deleted, int kept, List<RowOutcome> outcomes, List<String> notes) {}

  /** Receives until the queue is empty (or {@code maxMessages} were taken), then handles them in one pass. */
  public Result drain(boolean dryRun) {
    List<Message> messages = receiveAll();
    List<String> notes = new ArrayList<>();
    Map<Message, Optional<PushEvent>> events = new HashMap<>();
    for (Message m : messages) {
      try {
        events.put(m, PushEvent.parse(m.body()));
      } catch (IllegalArgumentException e) {
        // Nothing can ever make sense of it: deleting it keeps it from blocking the queue.
        notes.add("message " + m.messageId() + " ignored: " + e.getMessage());
        events.put(m, Optional.empty());
      }
    }
    List<ParsedRow> rows = rowsTouchable(events.values());
    List<ParsedRow> touched = new ArrayList<>();
    Map<Message, List<MirrorRow>> rowsOf = new HashMap<>();
    for (Map.Entry<Message, Optional<PushEvent>> e : events.entrySet()) {
      List<MirrorRow> its = new ArrayList<>();
      e.getValue().ifPresent(event -> {
        for (ParsedRow row : rows) {
          if (row instanceof MirrorRow m && (m.isRepository() ? event.touchesRepository(m.source()) : event.touches(m.source()))) {
            its.add(m);
            if (!touched.contains(m)) {
              touched.add(m);
            }
          }
        }
        if (its.isEmpty()) {
          notes.add("push of " + event.describe() + " touches no row");
        }
      });
      rowsOf.put(e.getKey(), its);
    }
    List<RowOutcome> outcomes = touched.isEmpty() ? List.of() : controller.sync(touched, dryRun);
    Map<String, RowOutcome> byKey = new HashMap<>();
    outcomes.forEach(o -> byKey.put(o.key(), o));
    List<Message> done = new ArrayList<>();
    List<Message> waiting = new ArrayList<>();
    for (Message m : messages) {
      String pushed = events.get(m).map(PushEvent::digest).orElse("");
      boolean handled = true;
      boolean jobRunning = false;
      for (MirrorRow row : rowsOf.get(m)) {
        RowOutcome o = byKey.get(row.key());
        if (o == null || !o.ok()) {
          handled = false;
        } else if (o.action() == RowOutcome.Action.JOB_ACTIVE
            && (pushed.isEmpty() || !row.state().claimedDigest().filter(pushed::equals).isPresent())) {
          // The running job is for another digest: see the class comment.
          jobRunning = true;
        }
      }
      if (handled && !jobRunning) {
        done.add(m);
      } else if (handled) {
        waiting.add(m);
      }
    }
    if (dryRun) {
      release(messages);
    } else {
      delete(done);
      hide(waiting, WAIT_FOR_JOB);
    }
    int deleted = dryRun ? 0 : done.size();
    return new Result(messages.size(), deleted, messages.size() - deleted, outcomes, notes);
  }

  /**
   * The rows the pushes may touch, read by key: through the {@code SourceRepository} index for each
   * pushed repository, plus the exact keys {@code REPOSITORY:TAG} and {@code REPOSITORY} (rows a user
   * wrote that no sync has written to yet, so the index does not know them). A push into a repository
   * that is no row's source costs that lookup and nothing more. A table without the index (deployed
   * by an older stack) is scanned, as before, with a warning.
   */
  private List<ParsedRow> rowsTouchable(Collection<Optional<PushEvent>> pushes) {
    Set<String> repositories = new LinkedHashSet<>();
    Set<String> keys = new LinkedHashSet<>();
    for (Optional<PushEvent> push : pushes) {
      // An untagged push (a child manifest of a multi-platform image, pushed by digest) touches no row.
      push.filter(event -> event.tag().isPresent()).ifPresent(event -> {
        String repository = event.registry() + "/" + event.repository();
        MirrorTable.sourceRepository(repository).ifPresent(repositories::add);
        keys.add(repository);
        keys.add(repository + ":" + event.tag().get());
      });
    }
    if (keys.isEmpty()) {
      return List.of();
    }
    return table.rowsInRepositories(repositories, keys).orElseGet(() -> {
      LOG.warn("table {} has no {} index, or this role may not query it (a stack deployed by an older version): "
          + "scanning it for {} pushed repositories; redeploy the stack to look rows up by key", table.name(),
          Attributes.SOURCE_REPOSITORY, repositories.size());
      return table.scan(scanSegments);
    });
  }

  private List<Message> receiveAll() {
    List<Message> all = new ArrayList<>();
    Map<String, Boolean> seen = new HashMap<>();
    while (all.size() < maxMessages) {
      List<Message> batch;
      try {
        batch = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1)
            .visibilityTimeout(VISIBILITY)).messages();
      } catch (SdkException e) {
        throw new IllegalStateException("receiving from events queue " + queueUrl + " failed: "
            + AwsErrors.message(e, "read the events queue"), e);
      }
      if (batch.isEmpty()) {
        break;
      }
      for (Message m : batch) {
        if (seen.putIfAbsent(m.messageId(), true) == null) {
          all.add(m);
        }
      }
    }
    return all;
  }

  /** Makes messages visible again at once: a dry run must leave the queue as it found it. */
  private void release(List<Message> messages) {
    hide(messages, 0);
  }

  /** Keeps messages hidden for this many seconds from now. */
  private void hide(List<Message> messages, int seconds) {
    for (Message m : messages) {
      try {
        sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()).visibilityTimeout(seconds));
      } catch (SdkException e) {
        LOG.warn("changing the visibility of event message {} failed: {}", m.messageId(), e.getMessage());
      }
    }
  }

  private void delete(List<Message> messages) {
    for (int i = 0; i < messages.size(); i += 10) {
      List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
      List<Message> part = messages.subList(i, Math.min(messages.size(), i + 10));
      for (int j = 0; j < part.size(); j++) {
        entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(j))
            .receiptHandle(part.get(j).receiptHandle()).build());
      }
      try {
        var response = sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
        response.failed().forEach(f -> LOG.warn("deleting event message failed: {} {}", f.code(), f.message()));
      } catch (SdkException e) {
        // Kept messages come back and are handled again: the checks are idempotent.
        LOG.warn("deleting {} event message(s) failed: {}", entries.size(), e.getMessage());
      }
    }
  }
}
