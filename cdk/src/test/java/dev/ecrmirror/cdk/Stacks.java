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

  /** The logical id of the mirror table (keyed by {@code Source} alone; the tag-state table also has {@code Tag}). */
  static String mirrorTable(Template template) {
    return template
        .findResources(
            "AWS::DynamoDB::Table",
            Map.of(
                "Properties",
                Map.of(
                    "KeySchema",
                    java.util.List.of(Map.of("AttributeName", "Source", "KeyType", "HASH")))))
        .keySet()
        .iterator()
        .next();
  }

  /** Every statement of the IAM policies whose logical id starts with {@code prefix}. */
  @SuppressWarnings("unchecked")
  static java.util.List<Map<String, Object>> statements(Template template, String prefix) {
    java.util.List<Map<String, Object>> out = new java.util.ArrayList<>();
    template
        .findResources("AWS::IAM::Policy")
        .forEach(
            (id, policy) -> {
              if (id.startsWith(prefix)) {
                var properties = (Map<String, Object>) policy.get("Properties");
                var document = (Map<String, Object>) properties.get("PolicyDocument");
                out.addAll((java.util.List<Map<String, Object>>) document.get("Statement"));
              }
            });
    return out;
  }

  /** A statement's actions, whether written as one string or a list. */
  static java.util.List<String> actions(Map<String, Object> statement) {
    Object action = statement.get("Action");
    return action instanceof java.util.List<?> list
        ? list.stream().map(Object::toString).toList()
        : java.util.List.of(action.toString());
  }

  /** A statement's resources, whether written as one value or a list. */
  static java.util.List<Object> resources(Map<String, Object> statement) {
    Object resource = statement.get("Resource");
    return resource instanceof java.util.List<?> list ? java.util.List.copyOf(list) : java.util.List.of(resource);
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
