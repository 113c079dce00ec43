package dev.ecrmirror.common.aws;

import dev.ecrmirror.common.auth.EcrCredentials;
import dev.ecrmirror.common.ref.ImageReference;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.RepositoryAlreadyExistsException;

/**
 * Creates missing ECR repositories before an image is pushed to them, as a registry that creates
 * repositories on push would: ECR answers a push to a missing repository with {@code NAME_UNKNOWN}.
 * Each repository is asked about once per run.
 */
public final class EcrRepositories {
  private static final Logger LOG = LoggerFactory.getLogger(EcrRepositories.class);

  private final Function<Region, EcrClient> clients;
  private final Set<String> ensured = ConcurrentHashMap.newKeySet();

  public EcrRepositories(Function<Region, EcrClient> clients) {
    this.clients = clients;
  }

  /**
   * Creates the destination's repository if it is in ECR and does not exist yet; other registries
   * are left alone. Returns true when it created one.
   */
  public boolean ensureExists(ImageReference destination) {
    String registry = destination.registry();
    Region region = EcrCredentials.regionOf(registry).orElse(null);
    if (region == null || !ensured.add(destination.name())) {
      return false;
    }
    String account = registry.substring(0, registry.indexOf('.'));
    try {
      clients.apply(region).createRepository(b -> b.registryId(account).repositoryName(destination.repository()));
      LOG.info("created ECR repository {} in account {} ({})", destination.repository(), account, region);
      return true;
    } catch (RepositoryAlreadyExistsException e) {
      return false;
    } catch (SdkException e) {
      ensured.remove(destination.name());
      throw new IllegalStateException("cannot create ECR repository " + destination.repository() + " in account "
          + account + " (" + region + "): " + AwsErrors.message(e, "call the ECR API"), e);
    }
  }
}
