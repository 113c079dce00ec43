package dev.ecrmirror.worker;

import dev.ecrmirror.common.aws.EcrClients;
import dev.ecrmirror.common.aws.EcrRepositories;
import dev.ecrmirror.common.ref.ImageReference;
import java.util.function.Consumer;

/**
 * The destination set-up that creates missing ECR repositories, with the AWS SDK types behind it
 * loaded only when a destination is first about to receive a copy: a run with every destination
 * already in sync never needs them.
 */
final class EcrRepositorySetup implements Consumer<ImageReference> {
  private final EcrClients clients;
  private volatile EcrRepositories repositories;

  EcrRepositorySetup(EcrClients clients) {
    this.clients = clients;
  }

  @Override
  public void accept(ImageReference destination) {
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
