package dev.ecrmirror.worker;

import dev.ecrmirror.common.auth.EcrCredentials;
import dev.ecrmirror.common.aws.EcrRepositories;
import dev.ecrmirror.common.ref.ImageReference;
import java.util.function.Consumer;
import java.util.function.Function;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * The destination set-up that creates missing ECR repositories, with the AWS SDK types behind it
 * loaded only when an ECR destination is first about to receive a copy: a run with every
 * destination already in sync, or none in ECR, never needs them.
 */
final class EcrRepositorySetup implements Consumer<ImageReference> {
  private final Function<Region, EcrClient> clients;
  private volatile EcrRepositories repositories;

  EcrRepositorySetup(Function<Region, EcrClient> clients) {
    this.clients = clients;
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
          r = new EcrRepositories(clients);
          repositories = r;
        }
      }
    }
    r.ensureExists(destination);
  }
}
