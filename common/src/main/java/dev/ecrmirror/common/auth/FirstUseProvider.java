package dev.ecrmirror.common.auth;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * A provider built when a registry first asks it for a login, then kept. Most runs never ask
 * (anonymous or plain-HTTP registries, destinations already in sync), so a provider that is
 * costly to set up, such as the ECR one with the AWS SDK behind it, is then never set up at all.
 */
final class FirstUseProvider implements CredentialProvider {
  private final Supplier<? extends CredentialProvider> factory;
  private volatile CredentialProvider provider;

  FirstUseProvider(Supplier<? extends CredentialProvider> factory) {
    this.factory = factory;
  }

  @Override
  public Optional<Credential> credentialFor(String registry) {
    CredentialProvider p = provider;
    if (p == null) {
      synchronized (this) {
        p = provider;
        if (p == null) {
          p = factory.get();
          provider = p;
        }
      }
    }
    return p.credentialFor(registry);
  }

  @Override
  public void rejected(String registry) {
    CredentialProvider p = provider;
    if (p != null) {
      p.rejected(registry);
    }
  }
}
