package dev.ecrmirror.common.auth;

import dev.ecrmirror.common.ref.ImageReference;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which registries a run reads images from (sources) and writes them to (destinations), so that
 * {@code --src-creds} and {@code --dest-creds} reach the right ones. The worker notes them from its
 * arguments; the controller from the rows it checks, before it asks any registry.
 */
public final class RegistryRoles {
  private final Set<String> sources = ConcurrentHashMap.newKeySet();
  private final Set<String> destinations = ConcurrentHashMap.newKeySet();

  /** Notes {@code ref}'s registry as one images are read from. */
  public void source(ImageReference ref) {
    sources.add(key(ref.registry()));
  }

  /** Notes {@code ref}'s registry as one images are written to. */
  public void destination(ImageReference ref) {
    destinations.add(key(ref.registry()));
  }

  boolean isSource(String registry) {
    return sources.contains(key(registry));
  }

  boolean isDestination(String registry) {
    return destinations.contains(key(registry));
  }

  private static String key(String registry) {
    return DockerConfigCredentials.normalizeServer(registry);
  }
}
