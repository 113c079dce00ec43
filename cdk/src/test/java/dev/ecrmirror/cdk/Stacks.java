package dev.ecrmirror.cdk;

import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.assertions.Template;

/** Builds the app the way cdk.json does, with the given context, for assertions. */
final class Stacks {

  private Stacks() {}

  static EcrMirrorStack stack(Map<String, Object> context) {
    return EcrMirrorApp.build(new App(AppProps.builder().context(context).build()));
  }

  static Template template(Map<String, Object> context) {
    return Template.fromStack(stack(context));
  }

  static Template template() {
    return template(Map.of());
  }
}
