package dev.ecrmirror.worker;

import dev.ecrmirror.common.auth.EcrCredentials;
import dev.ecrmirror.common.aws.EcrClientSource;
import dev.ecrmirror.common.aws.EcrRepositories;
import dev.ecrmirror.common.aws.RepositorySettings;
import dev.ecrmirror.common.ref.ImageReference;
import java.util.function.Consumer;

/**
 * The destination set-up that creates missing ECR repositories with the run's repository settings
 * (or, in {@code refresh} mode, fails a destination whose repository is missing), with the AWS SDK
 * types behind it loaded only when an ECR destination is first about to receive a copy: a run with
 * every destination already in sync, or none in ECR, never needs them.
 */
final class EcrRepositorySetup implements Consumer<ImageReference> {
  private final EcrClientSource clients;
  private final RepositorySettings settings;
  private volatile EcrRepositories repositories;

  EcrRepositorySetup(EcrClientSource clients, RepositorySettings settings) {
    this.clients = clients;
    this.settings = settings;
  }

  @Override
  public void accept(ImageReference destination) {
    if (!EcrCredentials.isEcr(destination.registry())) {
      return; // other registries create repositories on push, or not at all
    }
    EcrRepositories r = repositories;
    if (r == null) {
      synchronized (this) {
        r = repositories;
        if (r == null) {
          r = new EcrRepositories(clients, settings);
          repositories = r;
        }
      }
    }
    r.ensure(destination);
  }
}
