package dev.ecrmirror.controller.report;

import dev.ecrmirror.controller.drift.Check;
import dev.ecrmirror.controller.jobs.LocalJobRunner;
import dev.ecrmirror.controller.jobs.MirrorJob;
import dev.ecrmirror.worker.DestinationResult;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Keeps what a sync saw on its way, for its report: each row's check (what every destination held
 * before the run, and why it drifted) and each in-process copy's result per destination (bytes,
 * seconds, and the kind of a failure). Safe to feed from the sync's job threads.
 */
public final class RunRecorder implements Consumer<Check>, LocalJobRunner.Copies {
  private final Map<String, Check> checks = new ConcurrentHashMap<>();
  private final Map<CopyKey, DestinationResult> copies = new ConcurrentHashMap<>();

  /** One destination of one row (and tag: empty for a single-image row). */
  private record CopyKey(String row, String tag, String destination) {}

  @Override
  public void accept(Check check) {
    checks.put(check.row().key(), check);
  }

  @Override
  public void copied(MirrorJob job, Optional<String> tag, String destination, DestinationResult result) {
    copies.put(new CopyKey(job.row().key(), tag.orElse(""), destination), result);
  }

  /** The check of the row {@code key} in this run, if it was checked. */
  public Optional<Check> check(String key) {
    return Optional.ofNullable(checks.get(key));
  }

  /** What the in-process copy did at this destination of the row (and tag), if one ran. */
  public Optional<DestinationResult> copy(String key, Optional<String> tag, String destination) {
    return Optional.ofNullable(copies.get(new CopyKey(key, tag.orElse(""), destination)));
  }
}
