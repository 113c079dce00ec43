package dev.ecrmirror.controller;

/**
 * How a sync treats failed rows and tags, shared by the single-image and the repository path: the
 * backoff and attempt limit, and whether {@code sync --retry-failed} gives held-back ones a job now.
 */
final class RetryRules {
  final AttemptPolicy policy = AttemptPolicy.defaults();
  volatile boolean retryFailed;
}
