package dev.ecrmirror.controller.jobs;

import dev.ecrmirror.common.FailureKind;
import dev.ecrmirror.common.aws.AwsErrors;
import dev.ecrmirror.common.retry.RetryPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.batch.model.JobDetail;
import software.amazon.awssdk.services.batch.model.JobSummary;
import software.amazon.awssdk.services.batch.model.KeyValuesPair;
import software.amazon.awssdk.services.batch.model.SubmitJobRequest;

/**
 * Submits mirror jobs to AWS Batch with the parameters an ad hoc {@code aws batch submit-job}
 * uses ({@code source}, {@code dest}) plus the checked digests ({@code pin}), backing off when SubmitJob is throttled (50/s per account),
 * and reads their outcome back with {@code DescribeJobs}.
 */
public final class BatchJobRunner implements JobRunner {
  private static final Logger LOG = LoggerFactory.getLogger(BatchJobRunner.class);
  /** DescribeJobs takes at most 100 job ids per call. */
  private static final int DESCRIBE_BATCH = 100;

  private final BatchClient batch;
  private final String queue;
  private final String definition;
  private final RetryPolicy retry;

  /** {@code retry}: how long a throttled SubmitJob is waited out (its time budget), on top of the SDK's own tries. */
  public BatchJobRunner(BatchClient batch, String queue, String definition, RetryPolicy retry) {
    this.batch = batch;
    this.queue = queue;
    this.definition = definition;
    this.retry = retry;
  }

  @Override
  public JobOutcome run(MirrorJob job) {
    SubmitJobRequest.Builder request = SubmitJobRequest.builder()
        .jobName(job.jobName())
        .jobQueue(queue)
        .jobDefinition(definition)
        .parameters(job.parameters());
    if (!job.row().platforms().isEmpty()) {
      request.containerOverrides(o -> o.command(job.platformCommand()));
    }
    SubmitJobRequest built = request.build();
    RetryPolicy.Attempts attempts = retry.start();
    while (true) {
      try {
        return new JobOutcome.Submitted(batch.submitJob(built).jobId());
      } catch (AwsServiceException e) {
        if (!throttled(e) || !waitOut(attempts, job)) {
          throw new JobException("SubmitJob for " + job.sourceParameter() + " on queue " + queue + " failed: "
              + e.awsErrorDetails().errorMessage() + " (" + e.statusCode() + ")", e);
        }
      } catch (SdkException e) {
        throw new JobException("SubmitJob for " + job.sourceParameter() + " failed: "
            + AwsErrors.message(e, "submit AWS Batch jobs"), e);
      }
    }
  }

  @Override
  public Map<String, JobStatus> describe(Collection<String> jobIds) {
    List<String> ids = new ArrayList<>(jobIds);
    Map<String, JobStatus> out = new HashMap<>();
    for (int i = 0; i < ids.size(); i += DESCRIBE_BATCH) {
      List<String> part = ids.subList(i, Math.min(ids.size(), i + DESCRIBE_BATCH));
      List<JobDetail> jobs;
      try {
        jobs = batch.describeJobs(b -> b.jobs(part)).jobs();
      } catch (SdkException e) {
        throw new JobException("DescribeJobs for " + part.size() + " job(s) failed: "
            + AwsErrors.message(e, "read AWS Batch jobs"), e);
      }
      for (JobDetail job : jobs) {
        out.put(job.jobId(), status(job));
      }
    }
    ids.forEach(id -> out.putIfAbsent(id, JobStatus.unknown()));
    return out;
  }

  /**
   * Lists the queue's jobs whose name starts with the claim's prefix (ListJobs' {@code JOB_NAME}
   * filter matches a prefix ending in {@code *}, across every status); the newest one, if any.
   */
  @Override
  public Optional<String> findByClaim(String claimToken) {
    if (claimToken.isBlank()) {
      return Optional.empty();
    }
    String prefix = MirrorJob.namePrefix(claimToken);
    try {
      return batch.listJobsPaginator(b -> b.jobQueue(queue)
              .filters(KeyValuesPair.builder().name("JOB_NAME").values(prefix + "*").build()))
          .jobSummaryList().stream()
          .filter(j -> j.jobName() != null && j.jobName().startsWith(prefix))
          .max(java.util.Comparator.comparing(j -> j.createdAt() == null ? 0L : j.createdAt()))
          .map(JobSummary::jobId);
    } catch (SdkException e) {
      throw new JobException("ListJobs on queue " + queue + " failed: " + AwsErrors.message(e, "list AWS Batch jobs"), e);
    }
  }

  private static JobStatus status(JobDetail job) {
    Optional<Instant> stopped = Optional.ofNullable(job.stoppedAt()).map(Instant::ofEpochMilli);
    return switch (job.statusAsString()) {
      case "SUCCEEDED" -> new JobStatus(JobStatus.State.SUCCEEDED, Optional.empty(), stopped);
      case "FAILED" -> {
        String reason = Optional.ofNullable(job.statusReason()).orElse("");
        if (job.container() != null && job.container().reason() != null) {
          reason = reason.isEmpty() ? job.container().reason() : reason + ": " + job.container().reason();
        }
        FailureKind kind = FailureKind.TRANSIENT;
        if (job.container() != null && job.container().exitCode() != null) {
          reason = (reason.isEmpty() ? "" : reason + " ") + "(exit code " + job.container().exitCode() + ")";
          // The worker's exit code says what its worst destination failure means (see its --help).
          kind = FailureKind.ofExitCode(job.container().exitCode());
        }
        if (job.container() != null && job.container().logStreamName() != null) {
          reason += "; the worker's own account is in log stream " + job.container().logStreamName();
        }
        yield new JobStatus(JobStatus.State.FAILED, Optional.of(reason.isEmpty() ? "job failed" : reason), stopped, kind);
      }
      default -> new JobStatus(JobStatus.State.ACTIVE, Optional.empty(), Optional.empty());
    };
  }

  private static boolean throttled(AwsServiceException e) {
    return e.isThrottlingException() || e.statusCode() == 429
        || "TooManyRequestsException".equals(e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode());
  }

  /** Waits before another SubmitJob (50 per second per account): false once the throttle budget is spent. */
  private static boolean waitOut(RetryPolicy.Attempts attempts, MirrorJob job) {
    try {
      boolean again = attempts.retryThrottled(Optional.empty());
      if (again) {
        LOG.debug("SubmitJob for {} throttled; retrying", job.sourceParameter());
      }
      return again;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JobException("interrupted while backing off", e);
    }
  }
}
