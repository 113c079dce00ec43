package dev.ecrmirror.controller.jobs;

import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.FailureKind;
import dev.ecrmirror.common.Failures;
import dev.ecrmirror.common.aws.RepositorySettings;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.controller.table.Destination;
import dev.ecrmirror.worker.DestinationResult;
import dev.ecrmirror.worker.ExistingTagPolicy;
import dev.ecrmirror.worker.MirrorEngine;
import dev.ecrmirror.worker.MirrorReport;
import dev.ecrmirror.worker.MirrorRequest;
import dev.ecrmirror.worker.Progress;
import dev.ecrmirror.worker.ReferrerPolicy;
import dev.ecrmirror.worker.RepositoryReport;
import dev.ecrmirror.worker.RepositoryRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Runs mirror jobs in this process with the worker's own copy engine, for local mode: the
 * copy is done when {@link #run} returns. A repository row's job copies all its pinned tags in one
 * engine run.
 */
public final class LocalJobRunner implements JobRunner {
  private final MirrorEngine defaultEngine;
  private final Function<RepositorySettings, MirrorEngine> engines;
  private Copies copies = (job, tag, destination, result) -> { };

  public LocalJobRunner(MirrorEngine engine) {
    this(engine, settings -> engine);
  }

  /**
   * Copies with {@code engine}; a row with {@code RepositorySettings} with {@code engines} of its
   * settings (the engine that sets up its ECR destination repositories with them), as a Batch job
   * with the {@code settings} parameter would.
   */
  public LocalJobRunner(MirrorEngine engine, Function<RepositorySettings, MirrorEngine> engines) {
    this.defaultEngine = engine;
    this.engines = engines;
  }

  /** Hears what each copy did at each destination, as it finishes (from the job threads). */
  @FunctionalInterface
  public interface Copies {
    /**
     * @param job the job that copied
     * @param tag the tag, for a repository row's job; empty otherwise
     * @param destination the destination's key in the row
     * @param result what the copy did there: bytes, time, and why it failed
     */
    void copied(MirrorJob job, Optional<String> tag, String destination, DestinationResult result);
  }

  /** Tells {@code listener} what each copy did at each destination: the run report's bytes and seconds. */
  public LocalJobRunner reporting(Copies listener) {
    this.copies = listener;
    return this;
  }

  @Override
  public JobOutcome run(MirrorJob job) {
    RepositorySettings settings = job.row().repositorySettings();
    MirrorEngine engine = settings.isEmpty() ? defaultEngine : engines.apply(settings);
    if (job.row().isRepository()) {
      return runRepository(job, engine);
    }
    String jobId = "local-" + UUID.randomUUID();
    // Pinned to the digest the drift was seen at, so the copy is exactly what was checked.
    ImageReference source = job.row().source().withDigest(job.sourceDigest());
    List<ImageReference> targets = job.destinations().stream().map(Destination::target).toList();
    MirrorReport report;
    try {
      report = engine.mirror(new MirrorRequest(source, targets, job.row().platforms(), false, existingTags(job),
          referrers(job)));
    } catch (RuntimeException e) {
      Failure failure = new Failure(Failures.kind(e), "copy from " + job.sourceParameter() + " failed: " + Failures.describe(e));
      Map<String, Failure> failures = new HashMap<>();
      job.destinations().forEach(d -> failures.put(d.key(), failure));
      return new JobOutcome.Finished(jobId, job.sourceDigest().toString(), Map.of(), failures);
    }
    Map<String, String> digests = new HashMap<>();
    Map<String, Failure> failures = new HashMap<>();
    List<DestinationResult> results = report.destinations();
    for (int i = 0; i < job.destinations().size(); i++) {
      String key = job.destinations().get(i).key();
      if (i >= results.size()) {
        failures.put(key, Failure.transientFailure("the copy reported nothing for this destination"));
        continue;
      }
      DestinationResult r = results.get(i);
      copies.copied(job, Optional.empty(), key, r);
      r.failure().ifPresentOrElse(f -> failures.put(key, f), () -> r.digest().ifPresent(d -> digests.put(key, d.toString())));
    }
    String pinned = report.source().digest().map(Object::toString).orElse(job.sourceDigest().toString());
    return new JobOutcome.Finished(jobId, pinned, digests, failures);
  }

  /** Copies every pinned tag in one engine run; records per tag what each destination holds now. */
  private JobOutcome runRepository(MirrorJob job, MirrorEngine engine) {
    String jobId = "local-" + UUID.randomUUID();
    List<ImageReference> targets = job.destinations().stream().map(Destination::target).toList();
    RepositoryReport report;
    try {
      report = engine.mirror(new RepositoryRequest(job.row().source(), targets, job.pins(), job.row().platforms(), false,
          existingTags(job), referrers(job)), new Progress());
    } catch (RuntimeException e) {
      Failure why = new Failure(Failures.kind(e), "copy from " + job.sourceParameter() + " failed: " + Failures.describe(e));
      Map<String, Failure> errors = new HashMap<>();
      job.pins().forEach(p -> errors.put(p.tag(), why));
      return new JobOutcome.CopiedTags(jobId, Map.of(), errors);
    }
    Map<String, Map<String, String>> written = new HashMap<>();
    Map<String, Failure> errors = new HashMap<>();
    List<MirrorReport> tags = report.tags();
    for (int t = 0; t < tags.size() && t < job.pins().size(); t++) {
      String tag = job.pins().get(t).tag();
      Map<String, String> digests = new HashMap<>();
      List<String> failures = new ArrayList<>();
      FailureKind worst = null;
      List<DestinationResult> results = tags.get(t).destinations();
      for (int i = 0; i < results.size() && i < job.destinations().size(); i++) {
        DestinationResult r = results.get(i);
        String key = job.destinations().get(i).key();
        copies.copied(job, Optional.of(tag), key, r);
        if (r.failure().isPresent()) {
          failures.add(key + ": " + r.failure().get().message());
          worst = worst == null ? r.failure().get().kind() : worst.worst(r.failure().get().kind());
        } else {
          r.digest().ifPresent(d -> digests.put(key, d.toString()));
        }
      }
      written.put(tag, digests);
      if (!failures.isEmpty()) {
        errors.put(tag, new Failure(worst, String.join("; ", failures)));
      }
    }
    for (int t = tags.size(); t < job.pins().size(); t++) {
      errors.put(job.pins().get(t).tag(), Failure.transientFailure("the copy reported nothing for this tag"));
    }
    return new JobOutcome.CopiedTags(jobId, written, errors);
  }

  /** The row's ExistingTags policy, as the worker takes it from the job's {@code existing} parameter. */
  private static ExistingTagPolicy existingTags(MirrorJob job) {
    return ExistingTagPolicy.of(job.row().existingTags(), Clock.systemUTC());
  }

  /** Every referrer, unless the row says {@code Referrers=false}: what the job's {@code referrers} parameter says on Batch. */
  private static ReferrerPolicy referrers(MirrorJob job) {
    return job.row().referrers() ? ReferrerPolicy.ALL : ReferrerPolicy.NONE;
  }

  @Override
  public Map<String, JobStatus> describe(Collection<String> jobIds) {
    // In-process runs finish before run() returns: a job still marked submitted belongs to a run that died.
    Map<String, JobStatus> out = new HashMap<>();
    jobIds.forEach(id -> out.put(id, JobStatus.unknown()));
    return out;
  }
}
