package dev.ecrmirror.controller.jobs;

import java.util.Map;
import java.util.Optional;

/** What running a job gave: a submitted Batch job, or a finished in-process copy (of one image, or of many tags). */
public sealed interface JobOutcome {
  /** The job was queued; its outcome is read back later with {@link JobRunner#describe}. */
  record Submitted(String jobId) implements JobOutcome {}

  /**
   * The copy ran in process and is done.
   *
   * @param jobId a name for the run, recorded on the row
   * @param ok every destination was written
   * @param sourceDigest the source digest the copy pinned
   * @param destinationDigests what each destination holds now, by destination key
   * @param error why some destination failed
   */
  record Finished(String jobId, boolean ok, String sourceDigest, Map<String, String> destinationDigests,
      Optional<String> error) implements JobOutcome {
    public Finished {
      destinationDigests = Map.copyOf(destinationDigests);
    }
  }

  /**
   * A repository job ran in process and is done.
   *
   * @param jobId a name for the run, recorded on the row
   * @param written per pinned tag, what each destination (by key) holds now, for those the copy reached
   * @param errors per tag that some destination did not get, why
   */
  record CopiedTags(String jobId, Map<String, Map<String, String>> written, Map<String, String> errors)
      implements JobOutcome {
    public CopiedTags {
      written = Map.copyOf(written);
      errors = Map.copyOf(errors);
    }
  }
}
