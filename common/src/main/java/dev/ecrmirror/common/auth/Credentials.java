package dev.ecrmirror.common.auth;

import dev.ecrmirror.common.aws.EcrClientSource;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds the credential chain both jobs use, in the order a user expects it to be searched. */
public final class Credentials {
  /** The environment variable holding a docker config.json document (the deployed secret). */
  public static final String AUTH_JSON_ENV = "ECR_MIRROR_AUTH_JSON";

  private Credentials() {}

  /**
   * Parses {@code USER:PASS} (the password may itself hold colons). The message of a bad value names
   * {@code origin} (the option or variable) and never the value, which may be a password.
   */
  public static Credential userPass(String origin, String value) {
    int colon = value.indexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      throw new IllegalArgumentException(origin + " must be USER:PASS, with neither part empty (the value is not shown)");
    }
    return Credential.basic(value.substring(0, colon), value.substring(colon + 1));
  }

  /**
   * The chain: the {@code source} login for source registries and the {@code destination} login for
   * destination registries (as {@code roles} names them), then the {@code --auth-file} if given, then
   * {@value #AUTH_JSON_ENV}, then {@code $DOCKER_CONFIG/config.json} or {@code ~/.docker/config.json},
   * then ECR tokens for ECR hosts, fetched through {@code ecrClients} (with the role assumed for the
   * registry's account, if any). The config files are read now, so a broken one is reported before
   * any work starts; the ECR provider is set up only when a registry first asks for a login.
   */
  public static CredentialProvider defaultChain(Optional<Path> authFile, Map<String, String> env,
      Optional<Credential> source, Optional<Credential> destination, RegistryRoles roles, EcrClientSource ecrClients) {
    List<CredentialProvider> chain = new ArrayList<>();
    if (source.isPresent() || destination.isPresent()) {
      chain.add(new RoleCredentials(source, destination, roles));
    }
    authFile.ifPresent(f -> chain.add(DockerConfigCredentials.fromFile(f)));
    String json = env.get(AUTH_JSON_ENV);
    if (json != null && !json.isBlank()) {
      chain.add(DockerConfigCredentials.fromJson("$" + AUTH_JSON_ENV, json));
    }
    if (authFile.isEmpty()) {
      DockerConfigCredentials.fromDefaultLocation().ifPresent(chain::add);
    }
    chain.add(new FirstUseProvider(() -> new EcrCredentials(ecrClients, Clock.systemUTC())));
    return CredentialProvider.chain(chain);
  }
}
