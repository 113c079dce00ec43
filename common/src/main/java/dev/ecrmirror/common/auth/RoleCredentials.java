package dev.ecrmirror.common.auth;

import java.util.Optional;

/**
 * The logins given on the command line or in the environment for the source and for the
 * destinations ({@code --src-creds}, {@code --dest-token}, ...). They come first in the chain, so
 * they win over the auth file for their registries. A registry that is both a source and a
 * destination gets the destination's login, which must be allowed to push and so can usually pull.
 */
final class RoleCredentials implements CredentialProvider {
  private final Optional<Credential> source;
  private final Optional<Credential> destination;
  private final RegistryRoles roles;

  RoleCredentials(Optional<Credential> source, Optional<Credential> destination, RegistryRoles roles) {
    this.source = source;
    this.destination = destination;
    this.roles = roles;
  }

  @Override
  public Optional<Credential> credentialFor(String registry) {
    if (destination.isPresent() && roles.isDestination(registry)) {
      return destination;
    }
    if (source.isPresent() && roles.isSource(registry)) {
      return source;
    }
    return Optional.empty();
  }
}
