package dev.ecrmirror.common.auth;

import java.util.List;
import java.util.Optional;

/** Finds the login for a registry, by the registry name users write ({@code docker.io}, {@code host:port}). */
@FunctionalInterface
public interface CredentialProvider {

  /**
   * The credential for the registry, or empty to try anonymously. Asked before every request, so a
   * provider whose logins expire hands out a fresh one in time; one that is slow to ask caches.
   */
  Optional<Credential> credentialFor(String registry);

  /**
   * The registry refused the login last given for it: drop what is cached for it, so that the next
   * {@link #credentialFor} asks the source again (an expired token, a rotated password).
   */
  default void rejected(String registry) {}

  /** No credentials: every registry is tried anonymously. */
  static CredentialProvider anonymous() {
    return registry -> Optional.empty();
  }

  /** Asks each provider in turn and takes the first answer. */
  static CredentialProvider chain(List<CredentialProvider> providers) {
    List<CredentialProvider> copy = List.copyOf(providers);
    return new CredentialProvider() {
      @Override
      public Optional<Credential> credentialFor(String registry) {
        for (CredentialProvider p : copy) {
          Optional<Credential> found = p.credentialFor(registry);
          if (found.isPresent()) {
            return found;
          }
        }
        return Optional.empty();
      }

      @Override
      public void rejected(String registry) {
        copy.forEach(p -> p.rejected(registry));
      }
    };
  }
}
