package dev.ecrmirror.common.cli;

import dev.ecrmirror.common.auth.Credentials;
import dev.ecrmirror.common.registry.RegistryOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Option;

/** The registry options every command takes: insecure hosts, the auth file and retries (a picocli mixin). */
public final class RegistryCliOptions {
  /** Comma-separated insecure registries, read when no {@code --insecure-registry} is given. */
  public static final String INSECURE_ENV = "ECR_MIRROR_INSECURE_REGISTRIES";

  @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]",
      description = "Reach this registry over plain HTTP (repeatable). Loopback registries always are. "
          + "Default: $" + INSECURE_ENV + " (comma-separated).")
  List<String> insecureRegistries = new ArrayList<>();

  @Option(names = "--auth-file", paramLabel = "PATH",
      description = "A docker config.json with logins (auths, credHelpers, credsStore). "
          + "Default: $" + Credentials.AUTH_JSON_ENV + " (the JSON itself), then $DOCKER_CONFIG/config.json "
          + "or ~/.docker/config.json; ECR registries always get a token from the AWS credential chain.")
  Path authFile;

  @Option(names = "--retry-times", paramLabel = "N", defaultValue = "3",
      description = "Retry a failed registry request N times (408, 429, 5xx, resets), backing off exponentially. Default: ${DEFAULT-VALUE}.")
  int retryTimes;

  /** The {@code --retry-times} value. */
  public int retryTimes() {
    return retryTimes;
  }

  /** The registry options these flags and the environment describe. */
  public RegistryOptions toRegistryOptions(Map<String, String> env) {
    if (retryTimes < 0) {
      throw new IllegalArgumentException("--retry-times must be 0 or more, not " + retryTimes);
    }
    Set<String> insecure = new HashSet<>(insecureRegistries);
    if (insecure.isEmpty() && env.containsKey(INSECURE_ENV)) {
      for (String host : env.get(INSECURE_ENV).split(",")) {
        if (!host.isBlank()) {
          insecure.add(host.trim());
        }
      }
    }
    return RegistryOptions.defaults()
        .withInsecureRegistries(insecure)
        .withRetryTimes(retryTimes)
        .withCredentials(Credentials.defaultChain(Optional.ofNullable(authFile), env));
  }
}
