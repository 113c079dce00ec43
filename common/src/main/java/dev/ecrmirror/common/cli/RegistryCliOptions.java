package dev.ecrmirror.common.cli;

import dev.ecrmirror.common.auth.Credential;
import dev.ecrmirror.common.auth.Credentials;
import dev.ecrmirror.common.auth.RegistryRoles;
import dev.ecrmirror.common.aws.AssumeRoles;
import dev.ecrmirror.common.aws.EcrClients;
import dev.ecrmirror.common.registry.RegistryOptions;
import dev.ecrmirror.common.registry.RegistryTls;
import dev.ecrmirror.common.retry.RetryPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The registry options every command takes: insecure hosts, logins (the auth file, and USER:PASS or
 * tokens for the source and the destinations), per-registry certificates and retries. They are a
 * picocli mixin built with the programmatic API rather than annotations, so that a command with no
 * annotations of its own (the worker, whose start-up time counts on every run) reads no annotations
 * at all: the JDK generates a proxy class for each annotation type it reads, which costs tens of
 * milliseconds. Annotated commands include it with {@code @Mixin CommandSpec registryOptions = registry.mixin();}.
 */
public final class RegistryCliOptions {
  /** Comma-separated insecure registries, read when no {@code --insecure-registry} is given. */
  public static final String INSECURE_ENV = "ECR_MIRROR_INSECURE_REGISTRIES";
  /** USER:PASS for the source registry, read when no {@code --src-creds} is given. */
  public static final String SRC_CREDS_ENV = "ECR_MIRROR_SRC_CREDS";
  /** USER:PASS for every destination registry, read when no {@code --dest-creds} is given. */
  public static final String DEST_CREDS_ENV = "ECR_MIRROR_DEST_CREDS";
  /** A bearer token for the source registry, read when no {@code --src-token} is given. */
  public static final String SRC_TOKEN_ENV = "ECR_MIRROR_SRC_TOKEN";
  /** A bearer token for every destination registry, read when no {@code --dest-token} is given. */
  public static final String DEST_TOKEN_ENV = "ECR_MIRROR_DEST_TOKEN";

  /** Options whose values are secrets: never echoed in an error. */
  private static final java.util.regex.Pattern SECRET_OPTION =
      java.util.regex.Pattern.compile("(?i)--?[a-z-]*(cred|tok|tkn|pass|pw|secret|key)[a-z-]*");

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
      .paramLabel("N").type(int.class).defaultValue(String.valueOf(RetryPolicy.RETRIES))
      .description("Retry a failed registry request N times (408, 5xx, resets), backing off exponentially with "
          + "jitter. Default: ${DEFAULT-VALUE}.")
      .build();

  private final OptionSpec throttleBudget = OptionSpec.builder("--throttle-budget")
      .paramLabel("SECONDS").type(int.class).defaultValue(String.valueOf(RetryPolicy.THROTTLE_BUDGET.toSeconds()))
      .description("Wait out a registry's 429 (too many requests) for up to this long in total per request, "
          + "honouring its Retry-After; then give up. Default: ${DEFAULT-VALUE}.")
      .build();

  private final OptionSpec pullReserve = OptionSpec.builder("--pull-reserve")
      .paramLabel("N").type(int.class).defaultValue(String.valueOf(RegistryOptions.DEFAULT_PULL_RESERVE))
      .description("Leave N pulls of a rate-limited registry (Docker Hub's ratelimit-remaining) unspent: at N, "
          + "its images wait for a later run instead of failing. Default: ${DEFAULT-VALUE}.")
      .build();

  private final OptionSpec srcCreds = secret("--src-creds", "USER:PASS",
      "Log in to the source registry with this user and password (or access token), before any auth file. "
          + "Default: $" + SRC_CREDS_ENV + ".");

  private final OptionSpec destCreds = secret("--dest-creds", "USER:PASS",
      "Log in to every destination registry with this user and password, before any auth file. "
          + "Default: $" + DEST_CREDS_ENV + ".");

  private final OptionSpec srcToken = secret("--src-token", "TOKEN",
      "Send this bearer token to the source registry as is (Authorization: Bearer), instead of --src-creds. "
          + "Default: $" + SRC_TOKEN_ENV + ".");

  private final OptionSpec destToken = secret("--dest-token", "TOKEN",
      "Send this bearer token to every destination registry as is, instead of --dest-creds. "
          + "Default: $" + DEST_TOKEN_ENV + ".");

  private final OptionSpec certsDirs = OptionSpec.builder("--certs-dir")
      .paramLabel("DIR").type(List.class).auxiliaryTypes(Path.class)
      .description("A docker certs.d directory (repeatable): DIR/HOST[:PORT]/ca.crt is trusted for that registry on top of "
          + "the JVM's CAs, and DIR/HOST[:PORT]/client.cert with client.key is presented to it. Default: $"
          + RegistryTls.CERTS_D_ENV + " (" + java.io.File.pathSeparator + "-separated), else /etc/docker/certs.d and "
          + "~/.docker/certs.d.")
      .build();

  private final OptionSpec assumeRoles = OptionSpec.builder("--assume-role")
      .paramLabel("ACCOUNT=ROLE_ARN").type(List.class).auxiliaryTypes(String.class)
      .description("Call ECR for the registries of ACCOUNT (its API and its registry login) with this role, "
          + "assumed through STS and refreshed before it expires (repeatable). Default: $" + AssumeRoles.ENV
          + " (comma-separated).")
      .build();

  private final CommandSpec mixin = CommandSpec.create()
      .addOption(insecureRegistries)
      .addOption(assumeRoles)
      .addOption(authFile)
      .addOption(srcCreds)
      .addOption(destCreds)
      .addOption(srcToken)
      .addOption(destToken)
      .addOption(certsDirs)
      .addOption(retryTimes)
      .addOption(throttleBudget)
      .addOption(pullReserve);

  private final RegistryRoles roles = new RegistryRoles();
  private EcrClients ecrClients;

  private static OptionSpec secret(String name, String label, String description) {
    // A String, so picocli has no conversion that could fail and quote the value.
    return OptionSpec.builder(name).paramLabel(label).type(String.class).description(description).build();
  }

  /**
   * Which registries are sources and which destinations, for {@code --src-creds} and {@code --dest-creds}:
   * the command notes them before it asks any registry.
   */
  public RegistryRoles roles() {
    return roles;
  }

  /**
   * {@code message} with every value given to an option that looks like a secret ({@code --src-creds},
   * a mistyped {@code --dest-token}, ...) replaced by {@code ***}: picocli quotes unknown options and
   * their arguments in its errors.
   */
  public static String redact(String message, String[] args) {
    String out = message;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      int eq = arg.indexOf('=');
      String name = eq > 0 ? arg.substring(0, eq) : arg;
      if (!SECRET_OPTION.matcher(name).matches()) {
        continue;
      }
      String value = eq > 0 ? arg.substring(eq + 1) : i + 1 < args.length ? args[i + 1] : "";
      if (!value.isEmpty()) {
        out = out.replace(value, "***");
      }
    }
    return out;
  }

  /** The options, to add to a command as a mixin; they hold the values parsed for it. */
  public CommandSpec mixin() {
    return mixin;
  }

  /**
   * The ECR API clients of this command: {@code --assume-role} (else {@value AssumeRoles#ENV}) for the
   * accounts it names, the default credential chain for the others. One set per command, shared by
   * its registry logins and its ECR API calls, so each role is assumed once. Throws
   * {@link IllegalArgumentException} naming a malformed role.
   */
  public synchronized EcrClients ecrClients(Map<String, String> env) {
    if (ecrClients == null) {
      ecrClients = EcrClients.fromEnvironment(env, assumeRoles(env));
    }
    return ecrClients;
  }

  /** {@code --assume-role}, else {@value AssumeRoles#ENV}; throws {@link IllegalArgumentException} naming a malformed one. */
  public AssumeRoles assumeRoles(Map<String, String> env) {
    List<String> given = assumeRoles.getValue();
    return given != null && !given.isEmpty() ? AssumeRoles.parse("--assume-role", given)
        : AssumeRoles.parse("$" + AssumeRoles.ENV, List.of(env.getOrDefault(AssumeRoles.ENV, "")));
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
    int throttleSeconds = throttleBudget.getValue();
    if (throttleSeconds < 0) {
      throw new IllegalArgumentException("--throttle-budget must be 0 or more seconds, not " + throttleSeconds);
    }
    int reserve = pullReserve.getValue();
    if (reserve < 0) {
      throw new IllegalArgumentException("--pull-reserve must be 0 or more, not " + reserve);
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
    Optional<Credential> source = login("--src-creds", srcCreds, SRC_CREDS_ENV, "--src-token", srcToken, SRC_TOKEN_ENV, env);
    Optional<Credential> destination =
        login("--dest-creds", destCreds, DEST_CREDS_ENV, "--dest-token", destToken, DEST_TOKEN_ENV, env);
    List<Path> dirs = certsDirs.getValue();
    return RegistryOptions.defaults()
        .withInsecureRegistries(insecure)
        .withRetry(RetryPolicy.defaults().withRetries(retries).withThrottleBudget(Duration.ofSeconds(throttleSeconds)))
        .withPullReserve(reserve)
        .withTls(RegistryTls.fromDirectories(dirs == null || dirs.isEmpty() ? RegistryTls.defaultDirectories(env) : dirs))
        .withCredentials(Credentials.defaultChain(Optional.ofNullable(authFile.getValue()), env, source, destination, roles,
            ecrClients(env)));
  }

  /**
   * One side's login: the option, else its variable; a password or a token, not both. An option
   * given wins over both variables, so a flag always overrides the environment.
   */
  private static Optional<Credential> login(String credsName, OptionSpec creds, String credsEnv, String tokenName,
      OptionSpec token, String tokenEnv, Map<String, String> env) {
    String userPass = creds.getValue();
    String bearer = token.getValue();
    if (userPass != null && bearer != null) {
      throw new IllegalArgumentException(credsName + " and " + tokenName + " are both given: pass one");
    }
    if (userPass == null && bearer == null) {
      userPass = blankToNull(env.get(credsEnv));
      bearer = blankToNull(env.get(tokenEnv));
      if (userPass != null && bearer != null) {
        throw new IllegalArgumentException("$" + credsEnv + " and $" + tokenEnv + " are both set: set one");
      }
      credsName = "$" + credsEnv;
      tokenName = "$" + tokenEnv;
    }
    if (userPass != null) {
      return Optional.of(Credentials.userPass(credsName, userPass));
    }
    if (bearer != null) {
      if (bearer.isBlank() || bearer.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
        throw new IllegalArgumentException(tokenName + " must be a token without spaces or control characters "
            + "(the value is not shown)");
      }
      return Optional.of(Credential.bearer(bearer));
    }
    return Optional.empty();
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
