package dev.ecrmirror.cdk;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.assertions.Template;

/**
 * Builds the app the way cdk.json does, with the given context, for assertions: the feature flags
 * pinned in cdk.json apply here too, so the tests check the template {@code cdk synth} writes.
 */
final class Stacks {

  /** The context of the repository's cdk.json (feature flags), read once. */
  private static final Map<String, Object> CDK_JSON_CONTEXT = cdkJsonContext();

  private Stacks() {}

  static EcrMirrorStack stack(Map<String, Object> context) {
    var merged = new HashMap<>(CDK_JSON_CONTEXT);
    merged.putAll(context);
    return EcrMirrorApp.build(new App(AppProps.builder().context(merged).build()));
  }

  static Template template(Map<String, Object> context) {
    return Template.fromStack(stack(context));
  }

  static Template template() {
    return template(Map.of());
  }

  /** The {@code context} object of cdk.json at the repository root (Maven runs tests in cdk/). */
  static Map<String, Object> cdkJsonContext() {
    Path cdkJson = Path.of("..", "cdk.json");
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> context =
          (Map<String, Object>) new ObjectMapper().readValue(Files.readString(cdkJson), Map.class).get("context");
      return context == null ? Map.of() : Map.copyOf(context);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + cdkJson.toAbsolutePath(), e);
    }
  }
}
