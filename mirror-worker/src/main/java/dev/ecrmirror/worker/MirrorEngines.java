package dev.ecrmirror.worker;

import dev.ecrmirror.common.aws.EcrClientSource;
import dev.ecrmirror.common.aws.RepositorySettings;
import dev.ecrmirror.common.registry.RegistryClient;
import java.time.Duration;
import java.util.function.Function;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * Builds the copy engine, the one way both the worker and the controller's local mode do, so a
 * copy run on Batch and a copy run locally retry, time out and set up destinations alike.
 */
public final class MirrorEngines {
  private MirrorEngines() {}

  /**
   * How the engine copies.
   *
   * @param jobs registry operations (blob checks, transfers, pushes) in flight at once
   * @param retries how many more times a blob transfer that fails for a passing reason is tried
   *     ({@code --retry-times}, which the registry client uses for each request too)
   * @param readTimeout a blob download that receives nothing for this long is dropped and resumed
   * @param createRepositories set up ECR destination repositories before their first push: create a
   *     missing one, with {@code repositorySettings} (in their {@code refresh} mode: fail a missing one)
   * @param repositorySettings the settings of repositories created
   * @param rangedReads when a large blob is read as several ranges at once
   */
  public record Settings(int jobs, int retries, Duration readTimeout, boolean createRepositories,
      RepositorySettings repositorySettings, RangedReads rangedReads) {
    public Settings {
      if (jobs < 1) {
        throw new IllegalArgumentException("jobs must be at least 1, not " + jobs);
      }
      if (retries < 0) {
        throw new IllegalArgumentException("--retry-times must be 0 or more, not " + retries);
      }
      if (readTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("--read-timeout must be at least 1 second, not " + readTimeout.toSeconds());
      }
    }

    /** The same settings with these repository settings. */
    public Settings withRepositorySettings(RepositorySettings settings) {
      return new Settings(jobs, retries, readTimeout, createRepositories, settings, rangedReads);
    }

    /** {@code jobs} at once, 3 retries, the default read timeout, missing ECR repositories created. */
    public static Settings defaults(int jobs) {
      return new Settings(jobs, 3, MirrorEngine.DEFAULT_READ_TIMEOUT, true, RepositorySettings.none(), RangedReads.DEFAULT);
    }
  }

  /**
   * The engine for {@code settings}; {@code ecr} gives a region's ECR API client, asked only when an
   * ECR destination repository is first about to receive a copy.
   */
  public static MirrorEngine build(RegistryClient client, Settings settings, Function<Region, EcrClient> ecr) {
    return build(client, settings, EcrClientSource.anyAccount(ecr));
  }

  /** As above, with the ECR client of each destination's account and region (its assumed role, say). */
  public static MirrorEngine build(RegistryClient client, Settings settings, EcrClientSource ecr) {
    MirrorEngine engine = new MirrorEngine(client, settings.jobs(), settings.retries(), settings.readTimeout())
        .withRangedReads(settings.rangedReads().fitTo(Runtime.getRuntime().maxMemory()));
    return settings.createRepositories()
        ? engine.withDestinationSetup(new EcrRepositorySetup(ecr, settings.repositorySettings())) : engine;
  }
}
