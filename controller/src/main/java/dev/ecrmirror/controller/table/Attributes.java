package dev.ecrmirror.controller.table;

import java.util.Set;

/**
 * The attribute names of the mirror table. User attributes follow the aws-ecr-mirror format; the
 * controller's own attributes have names of their own so a write never touches what the user wrote.
 */
public final class Attributes {
  private Attributes() {}

  // User attributes: read, never written by a sync.
  public static final String SOURCE = "Source";
  public static final String DESTINATION = "Destination";
  public static final String PLATFORMS = "Platforms";
  public static final String ENABLED = "Enabled";
  /** Whether jobs copy the image's signatures, SBOMs and attestations too (default true). */
  public static final String REFERRERS = "Referrers";

  // Tag rules (user attributes): a row carrying any of them is a repository row.
  public static final String TAGS = "Tags";
  public static final String EXCLUDE_TAGS = "ExcludeTags";
  public static final String CONSTRAINT = "Constraint";
  public static final String INCLUDE_PRERELEASES = "IncludePrereleases";
  public static final String EXCLUDE_PRERELEASES = "ExcludePrereleases";
  public static final String RELEASE_ONLY = "ReleaseOnly";
  public static final String MAX_RESULTS = "MaxResults";
  /** Every tag-rule attribute, in the order listings show them. */
  public static final java.util.List<String> RULES = java.util.List.of(TAGS, EXCLUDE_TAGS, CONSTRAINT,
      INCLUDE_PRERELEASES, EXCLUDE_PRERELEASES, RELEASE_ONLY, MAX_RESULTS);
  // Destination policy (user attributes).
  /** What a copy does to a destination tag holding another digest: {@code overwrite} (default), {@code keep}, {@code backup}. */
  public static final String EXISTING_TAGS = "ExistingTags";
  /** Whether a prefix destination (ending in {@code /}) keeps the source's registry in its path (default true). */
  public static final String PREFIX_KEEPS_REGISTRY = "PrefixKeepsRegistry";
  /** Every destination-policy attribute {@code table put} writes (and removes when not given). */
  public static final java.util.List<String> POLICY = java.util.List.of(EXISTING_TAGS, PREFIX_KEEPS_REGISTRY);
  /**
   * On a row that {@code sync --from-ecr-tags} derived from an ECR repository's tags: that
   * repository's ARN. Such rows are rewritten (or deleted) from the repository's tags on every such run.
   */
  public static final String ORIGIN = "Origin";
  /**
   * Settings for ECR destination repositories the worker creates for this row (a user attribute): the
   * worker's {@code --repository-settings} JSON as a string, or a map of the same fields, laid over
   * the deployment's defaults.
   */
  public static final String REPOSITORY_SETTINGS = "RepositorySettings";

  // System attributes, written by the controller.
  public static final String STATUS = "MirrorStatus";
  public static final String SOURCE_DIGEST = "SourceDigest";
  public static final String DESTINATION_DIGESTS = "DestinationDigests";
  public static final String CHECKED_AT = "CheckedAt";
  public static final String MIRRORED_AT = "MirroredAt";
  public static final String JOB_ID = "JobId";
  public static final String LAST_ERROR = "LastError";
  public static final String CLAIM_TOKEN = "ClaimToken";
  /** The source digest a claim (and its job) is for: one job per drift, not per run. */
  public static final String CLAIMED_DIGEST = "ClaimedDigest";
  /** The source digest the last successful job copied. */
  public static final String MIRRORED_SOURCE_DIGEST = "MirroredSourceDigest";
  /** What the last successful job left at each destination (differs from the source with Platforms). */
  public static final String MIRRORED_DIGESTS = "MirroredDigests";
  /** The Platforms selection the last successful job used, normalized. */
  public static final String MIRRORED_PLATFORMS = "MirroredPlatforms";
  /**
   * Until when (epoch milliseconds) a claim is held: its holder renews it while it starts or runs
   * the job; another controller may take the claim over only after it passed.
   */
  public static final String LEASE_UNTIL = "LeaseUntil";
  /** Failed attempts in a row at the claimed source digest; reset when it moves or a copy succeeds. */
  public static final String ATTEMPTS = "Attempts";
  /** When a {@code retrying} row's next attempt is due. */
  public static final String NEXT_ATTEMPT_AT = "NextAttemptAt";
  /** Per destination that failed its check or copy, why: the row's status is that of its worst destination. */
  public static final String DESTINATION_ERRORS = "DestinationErrors";
  /**
   * The source's normalized {@code registry/repository}, key of the index that finds the rows a push
   * touches; derived from {@code Source} on every write.
   */
  public static final String SOURCE_REPOSITORY = "SourceRepository";


  // A repository row's bounded summary of its tags (the per-tag detail is in the tag-state table).
  /** How many tags the rules selected at the last check. */
  public static final String TAGS_SELECTED = "TagsSelected";
  /** Selected tags every destination holds (in sync or just mirrored). */
  public static final String TAGS_IN_SYNC = "TagsInSync";
  /** Selected tags some destination lacks (drift found, or a job for them submitted). */
  public static final String TAGS_DRIFTED = "TagsDrifted";
  /** Selected tags whose check or copy failed. */
  public static final String TAGS_FAILED = "TagsFailed";
  /** Failed tags and why: at most {@code TagSummary.MAX_FAILED} entries, each reason cut short. */
  public static final String FAILED_TAGS = "FailedTags";
  /** How many failed tags {@code FailedTags} leaves out. */
  public static final String FAILED_TAGS_OMITTED = "FailedTagsOmitted";

  /** Every attribute the controller owns. */
  public static final Set<String> SYSTEM = Set.of(STATUS, SOURCE_DIGEST, DESTINATION_DIGESTS, CHECKED_AT,
      MIRRORED_AT, JOB_ID, LAST_ERROR, CLAIM_TOKEN, CLAIMED_DIGEST, MIRRORED_SOURCE_DIGEST, MIRRORED_DIGESTS,
      MIRRORED_PLATFORMS, LEASE_UNTIL, ATTEMPTS, NEXT_ATTEMPT_AT, DESTINATION_ERRORS, SOURCE_REPOSITORY, TAGS_SELECTED,
      TAGS_IN_SYNC, TAGS_DRIFTED, TAGS_FAILED, FAILED_TAGS, FAILED_TAGS_OMITTED);

  // The tag-state table: one item per selected tag of a repository row.
  /** Its sort key: the tag. (Its partition key is {@code Source}, the row's key.) */
  public static final String TAG = "Tag";
  /** When a tag item last changed (it is written only then). */
  public static final String CHANGED_AT = "ChangedAt";
}
