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

  private final CommandSpec mixin = CommandSpec.create()
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
    boolean create = createRepository.getValue();
    return new MirrorEngines.Settings(jobs, retries, Duration.ofSeconds(seconds), create && !dryRun,
        repositorySettings(System.getenv()));
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
