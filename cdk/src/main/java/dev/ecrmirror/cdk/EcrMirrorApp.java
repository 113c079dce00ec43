package dev.ecrmirror.cdk;

import software.amazon.awscdk.App;
import software.amazon.awscdk.StackProps;

/**
 * The CDK app: one {@link EcrMirrorStack}, configured from context; cdk.json runs this class.
 *
 * <p>Context {@code stackName} (default {@code EcrMirror}) allows several independent deployments
 * in one account and region.
 */
public final class EcrMirrorApp {

  /** The stack name unless context {@code stackName} says otherwise. */
  public static final String DEFAULT_STACK_NAME = "EcrMirror";

  private EcrMirrorApp() {}

  public static void main(String[] args) {
    App app = new App();
    try {
      build(app);
    } catch (IllegalArgumentException e) {
      // A mistyped context option: say which, without a stack trace.
      System.err.println("ecr-mirror: " + e.getMessage());
      System.exit(2);
    }
    app.synth();
  }

  /** Adds the stack to {@code app}, reading its options from the app's context. */
  static EcrMirrorStack build(App app) {
    Object name = app.getNode().tryGetContext("stackName");
    String stackName = name == null ? DEFAULT_STACK_NAME : name.toString();
    return new EcrMirrorStack(
        app,
        stackName,
        StackProps.builder()
            .description("ecr-mirror: mirrors container images with AWS Batch (table, queues, jobs, triggers)")
            .build(),
        StackConfig.fromContext(app.getNode()));
  }
}
