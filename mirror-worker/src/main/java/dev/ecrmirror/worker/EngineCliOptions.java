package dev.ecrmirror.worker;

import dev.ecrmirror.common.aws.RepositorySettings;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The copy options the worker and {@code controller sync --local} both take, as a picocli mixin
 * built with the programmatic API (the worker reads no annotations; see {@code RegistryCliOptions}).
 * Annotated commands include it with {@code @Mixin CommandSpec engineOptions = engine.mixin();}.
 */
public final class EngineCliOptions {
  private final OptionSpec createRepository = OptionSpec.builder("--create-repository")
      .type(boolean.class).negatable(true).defaultValue("true").fallbackValue("true")
      .description("Create a missing ECR destination repository before pushing (default). "
          + "--no-create-repository leaves that to you; a push to a missing repository then fails.")
      .build();

  private final OptionSpec readTimeoutSeconds = OptionSpec.builder("--read-timeout")
      .paramLabel("SECONDS").type(int.class).defaultValue(String.valueOf(MirrorEngine.DEFAULT_READ_TIMEOUT.toSeconds()))
      .description("A blob download that receives nothing for this long is dropped and resumed "
          + "(a Range request where the registry supports it). Default: ${DEFAULT-VALUE}.")
      .build();

  private final OptionSpec repositorySettings = OptionSpec.builder("--repository-settings")
      .paramLabel("JSON").type(String.class)
      .description("Settings of ECR repositories created for destinations, laid field by field over $"
          + RepositorySettings.ENV + ": {\"mode\":\"create\"|\"refresh\", \"scanOnPush\":true, "
          + "\"tagMutability\":\"IMMUTABLE_WITH_EXCLUSION\", \"tagMutabilityExclusions\":[\"dev*\"], "
          + "\"encryption\":\"KMS\", \"kmsKey\":\"arn:aws:kms:…\", \"lifecyclePolicy\":{…}, \"tags\":{…}}. "
          + "refresh never creates a repository. An existing repository is never changed. none: the defaults alone.")
      .build();

  private final OptionSpec rangeThresholdMib = OptionSpec.builder("--range-threshold")
      .paramLabel("MIB").type(long.class).defaultValue(String.valueOf(RangedReads.DEFAULT.threshold() / (1024 * 1024)))
      .description("A blob of at least this many MiB is read as several byte ranges at once, where the source "
          + "honours Range (its storage behind ECR, Docker Hub and GHCR does): one connection carries only so much. "
          + "Default: ${DEFAULT-VALUE}.")
      .build();

  private final OptionSpec ranges = OptionSpec.builder("--ranges")
      .paramLabel("N").type(int.class).defaultValue(String.valueOf(RangedReads.DEFAULT.parallel()))
      .description("Ranges in flight at once, each on a connection of its own and holding at most "
          + RangedReads.DEFAULT.rangeSize() / (1024 * 1024) + " MiB; 1 reads every blob as one stream. Default: ${DEFAULT-VALUE}.")
      .build();

  private final OptionSpec rangeSizeMib = OptionSpec.builder("--range-size")
      .paramLabel("MIB").type(long.class).defaultValue(String.valueOf(RangedReads.DEFAULT.rangeSize() / (1024 * 1024)))
      .description("The MiB of one range of a ranged read: --ranges times this is the most a copy holds in memory "
          + "for ranged reads. Default: ${DEFAULT-VALUE}.")
      .build();

  private final CommandSpec mixin = CommandSpec.create()
      .addOption(rangeSizeMib)
      .addOption(rangeThresholdMib)
      .addOption(ranges)
      .addOption(createRepository)
      .addOption(repositorySettings)
      .addOption(readTimeoutSeconds);

  /** The options, to add to a command as a mixin; they hold the values parsed for it. */
  public CommandSpec mixin() {
    return mixin;
  }

  /**
   * The engine settings these options give, with {@code jobs} and {@code retries} from the command's
   * own options; a dry run creates no repository. Throws {@link IllegalArgumentException} naming a bad option.
   */
  public MirrorEngines.Settings settings(int jobs, int retries, boolean dryRun) {
    int seconds = readTimeoutSeconds.getValue();
    if (seconds < 1) {
      throw new IllegalArgumentException("--read-timeout must be at least 1 second, not " + seconds);
    }
    long thresholdMib = rangeThresholdMib.getValue();
    if (thresholdMib < 1) {
      throw new IllegalArgumentException("--range-threshold must be at least 1 MiB, not " + thresholdMib);
    }
    int parallel = ranges.getValue();
    if (parallel < 1) {
      throw new IllegalArgumentException("--ranges must be at least 1, not " + parallel);
    }
    long rangeMib = rangeSizeMib.getValue();
    if (rangeMib < 1) {
      throw new IllegalArgumentException("--range-size must be at least 1 MiB, not " + rangeMib);
    }
    boolean create = createRepository.getValue();
    return new MirrorEngines.Settings(jobs, retries, Duration.ofSeconds(seconds), create && !dryRun,
        repositorySettings(System.getenv()), RangedReads.DEFAULT.withThresholdMib(thresholdMib).withParallel(parallel)
            .withRangeSizeMib(rangeMib));
  }

  /**
   * {@code --repository-settings} over {@value RepositorySettings#ENV}; throws
   * {@link IllegalArgumentException} naming the one at fault.
   */
  public RepositorySettings repositorySettings(Map<String, String> env) {
    RepositorySettings defaults = RepositorySettings.parse("$" + RepositorySettings.ENV, env.get(RepositorySettings.ENV));
    String given = repositorySettings.getValue();
    return RepositorySettings.parse("--repository-settings", given).over(defaults);
  }
}
