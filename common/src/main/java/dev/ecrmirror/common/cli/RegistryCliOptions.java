package dev.ecrmirror.common.cli;

import dev.ecrmirror.common.auth.Credentials;
import dev.ecrmirror.common.registry.RegistryOptions;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The registry options every command takes: insecure hosts, the auth file and retries. They are a
 * picocli mixin built with the programmatic API rather than annotations, so that a command with no
 * annotations of its own (the worker, whose start-up time counts on every run) reads no annotations
 * at all: the JDK generates a proxy class for each annotation type it reads, which costs tens of
 * milliseconds. Annotated commands include it with {@code @Mixin CommandSpec registryOptions = registry.mixin();}.
 */
public final class RegistryCliOptions {
  /** Comma-separated insecure registries, read when no {@code --insecure-registry} is given. */
  public static final String INSECURE_ENV = "ECR_MIRROR_INSECURE_REGISTRIES";

  private final OptionSpec insecureRegistries = OptionSpec.builder("--insecure-registry")
      .paramLabel("HOST[:PORT]").type(List.class).auxiliaryTypes(String.class)
      .description("Reach this registry over plain HTTP (repeatable). Loopback registries always are. "
          + "Default: $" + INSECURE_ENV + " (comma-separated).")
      .build();

  private final OptionSpec authFile = OptionSpec.builder("--auth-file")
      .paramLabel("PATH").type(Path.class)
      .description("A docker config.json with logins (auths, credHelpers, credsStore). "
          + "Default: $" + Credentials.AUTH_JSON_ENV + " (the JSON itself), then $DOCKER_CONFIG/config.json "
          + "or ~/.docker/config.json; ECR registries always get a token from the AWS credential chain.")
      .build();

  private final OptionSpec retryTimes = OptionSpec.builder("--retry-times")
      .paramLabel("N").type(int.class).defaultValue("3")
      .description("Retry a failed registry request N times (408, 429, 5xx, resets), backing off exponentially. "
          + "Default: ${DEFAULT-VALUE}.")
      .build();

  private final CommandSpec mixin = CommandSpec.create()
      .addOption(insecureRegistries)
      .addOption(authFile)
      .addOption(retryTimes);

  /** The options, to add to a command as a mixin; they hold the values parsed for it. */
  public CommandSpec mixin() {
    return mixin;
  }

  /** The {@code --retry-times} value. */
  public int retryTimes() {
    return retryTimes.getValue();
  }

  /** The registry options these flags and the environment describe. */
  public RegistryOptions toRegistryOptions(Map<String, String> env) {
    int retries = retryTimes();
    if (retries < 0) {
      throw new IllegalArgumentException("--retry-times must be 0 or more, not " + retries);
    }
    List<String> given = insecureRegistries.getValue();
    Set<String> insecure = given == null ? new HashSet<>() : new HashSet<>(given);
    if (insecure.isEmpty() && env.containsKey(INSECURE_ENV)) {
      for (String host : env.get(INSECURE_ENV).split(",")) {
        if (!host.isBlank()) {
          insecure.add(host.trim());
        }
      }
    }
    return RegistryOptions.defaults()
        .withInsecureRegistries(insecure)
        .withRetryTimes(retries)
        .withCredentials(Credentials.defaultChain(Optional.ofNullable(authFile.getValue()), env));
  }
}
