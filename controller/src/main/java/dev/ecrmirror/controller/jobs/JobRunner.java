package dev.ecrmirror.controller.jobs;

import java.util.Collection;
import java.util.Map;

/** Runs mirror jobs: on AWS Batch, or in process for local mode. */
public interface JobRunner {
  /** Starts (or runs) one job; throws {@link JobException} when it could not be started. */
  JobOutcome run(MirrorJob job);

  /** Where each of these jobs stands; jobs the runner does not know are {@link JobStatus.State#UNKNOWN}. */
  Map<String, JobStatus> describe(Collection<String> jobIds);
}
