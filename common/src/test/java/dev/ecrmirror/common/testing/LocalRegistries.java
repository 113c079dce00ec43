package dev.ecrmirror.common.testing;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that starts {@code count} real registries before a test class and always
 * stops them after it, whatever the outcome. Register it as a static field:
 * {@code @RegisterExtension static LocalRegistries registries = new LocalRegistries(3);}
 */
public final class LocalRegistries implements BeforeAllCallback, AfterAllCallback {
  private final int count;
  private final List<LocalRegistry> started = new ArrayList<>();

  public LocalRegistries(int count) {
    this.count = count;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    for (int i = 0; i < count; i++) {
      started.add(LocalRegistry.start());
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    started.forEach(LocalRegistry::close);
    started.clear();
  }

  /** The i-th registry, from 0. */
  public LocalRegistry get(int i) {
    return started.get(i);
  }

  /** Stops one registry early, to test what happens when it is unreachable. */
  public void stop(int i) {
    started.get(i).close();
  }
}
