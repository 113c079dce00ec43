package dev.ecrmirror.common.aws;

import java.util.function.Function;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * Gives the ECR API client for one registry: an account in a region. The account matters when a
 * role is assumed for it ({@code --assume-role ACCOUNT=ROLE_ARN}); {@link EcrClients} keeps one
 * client per region, and per account that has a role.
 */
@FunctionalInterface
public interface EcrClientSource {
  /** The client to call ECR in {@code region} about the registry of {@code account}. */
  EcrClient client(String account, Region region);

  /** A source whose clients depend on the region alone (tests, and callers without roles). */
  static EcrClientSource anyAccount(Function<Region, EcrClient> clients) {
    return (account, region) -> clients.apply(region);
  }
}
