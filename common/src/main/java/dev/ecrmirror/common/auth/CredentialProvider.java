package dev.ecrmirror.common.auth;

import java.util.List;
import java.util.Optional;

/** Finds the login for a registry, by the registry name users write ({@code docker.io}, {@code host:port}). */
@FunctionalInterface
public interface CredentialProvider {

  /** The credential for the registry, or empty to try anonymously. */
  Optional<Credential> credentialFor(String registry);

  /** No credentials: every registry is tried anonymously. */
  static CredentialProvider anonymous() {
    return registry -> Optional.empty();
  }

  /** Asks each provider in turn and takes the first answer. */
  static CredentialProvider chain(List<CredentialProvider> providers) {
    List<CredentialProvider> copy = List.copyOf(providers);
    return registry -> {
      for (CredentialProvider p : copy) {
        Optional<Credential> found = p.credentialFor(registry);
        if (found.isPresent()) {
          return found;
        }
      }
      return Optional.empty();
    };
  }
}
