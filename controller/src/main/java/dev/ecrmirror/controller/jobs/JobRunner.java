package dev.ecrmirror.controller.jobs;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/** Runs mirror jobs: on AWS Batch, or in process for local mode. */
public interface JobRunner {
  /** Starts (or runs) one job; throws {@link JobException} when it could not be started. */
  JobOutcome run(MirrorJob job);

  /** Where each of these jobs stands; jobs the runner does not know are {@link JobStatus.State#UNKNOWN}. */
  Map<String, JobStatus> describe(Collection<String> jobIds);

  /**
   * The job started under this claim, if one was (its name starts with {@link MirrorJob#namePrefix}):
   * asked before taking over a claim whose holder stopped without recording its job. An in-process
   * runner never has such a job: its copies end with the process that ran them.
   */
  default Optional<String> findByClaim(String claimToken) {
    return Optional.empty();
  }
}
