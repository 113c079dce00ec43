package dev.ecrmirror.controller.jobs;

import dev.ecrmirror.common.Failure;
import java.util.Map;

/** What running a job gave: a submitted Batch job, or a finished in-process copy (of one image, or of many tags). */
public sealed interface JobOutcome {
  /** The job was queued; its outcome is read back later with {@link JobRunner#describe}. */
  record Submitted(String jobId) implements JobOutcome {}

  /**
   * The copy ran in process and is done.
   *
   * @param jobId a name for the run, recorded on the row
   * @param sourceDigest the source digest the copy pinned
   * @param destinationDigests what each destination the copy reached holds now, by destination key
   * @param failures per destination key that was not written, why
   */
  record Finished(String jobId, String sourceDigest, Map<String, String> destinationDigests,
      Map<String, Failure> failures) implements JobOutcome {
    public Finished {
      destinationDigests = Map.copyOf(destinationDigests);
      failures = Map.copyOf(failures);
    }

    /** True when every destination was written. */
    public boolean ok() {
      return failures.isEmpty();
    }
  }

  /**
   * A repository job ran in process and is done.
   *
   * @param jobId a name for the run, recorded on the row
   * @param written per pinned tag, what each destination (by key) holds now, for those the copy reached
   * @param errors per tag that some destination did not get, why (the worst kind among its destinations)
   */
  record CopiedTags(String jobId, Map<String, Map<String, String>> written, Map<String, Failure> errors)
      implements JobOutcome {
    public CopiedTags {
      written = Map.copyOf(written);
      errors = Map.copyOf(errors);
    }
  }
}
