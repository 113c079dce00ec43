package dev.ecrmirror.controller.jobs;

import dev.ecrmirror.common.Failures;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.controller.table.Destination;
import dev.ecrmirror.worker.DestinationResult;
import dev.ecrmirror.worker.MirrorEngine;
import dev.ecrmirror.worker.MirrorReport;
import dev.ecrmirror.worker.MirrorRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Runs mirror jobs in this process with the worker's own copy engine, for local mode: the
 * copy is done when {@link #run} returns.
 */
public final class LocalJobRunner implements JobRunner {
  private final MirrorEngine engine;

  public LocalJobRunner(MirrorEngine engine) {
    this.engine = engine;
  }

  @Override
  public JobOutcome run(MirrorJob job) {
    String jobId = "local-" + UUID.randomUUID();
    // Pinned to the digest the drift was seen at, so the copy is exactly what was checked.
    ImageReference source = job.row().source().withDigest(job.sourceDigest());
    List<ImageReference> targets = job.destinations().stream().map(Destination::target).toList();
    MirrorReport report;
    try {
      report = engine.mirror(new MirrorRequest(source, targets, job.row().platforms(), false));
    } catch (RuntimeException e) {
      return new JobOutcome.Finished(jobId, false, job.sourceDigest().toString(), Map.of(),
          Optional.of("copy from " + job.sourceParameter() + " failed: " + Failures.describe(e)));
    }
    Map<String, String> digests = new HashMap<>();
    List<String> errors = new ArrayList<>();
    List<DestinationResult> results = report.destinations();
    for (int i = 0; i < results.size() && i < job.destinations().size(); i++) {
      DestinationResult r = results.get(i);
      String key = job.destinations().get(i).key();
      r.digest().ifPresent(d -> digests.put(key, d.toString()));
      if (!r.ok()) {
        errors.add(key + ": " + r.error().orElse("failed"));
      }
    }
    String pinned = report.source().digest().map(Object::toString).orElse(job.sourceDigest().toString());
    return new JobOutcome.Finished(jobId, report.allOk(), pinned, digests,
        errors.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", errors)));
  }

  @Override
  public Map<String, JobStatus> describe(Collection<String> jobIds) {
    // In-process runs finish before run() returns: a job still marked submitted belongs to a run that died.
    Map<String, JobStatus> out = new HashMap<>();
    jobIds.forEach(id -> out.put(id, JobStatus.unknown()));
    return out;
  }
}
