package dev.ecrmirror.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.event.ruler.Machine;

/**
 * The synthesized ECR push rule, evaluated by AWS's own event-ruler against documented ECR events.
 *
 * <p>The success sample is the "Event for a completed image push" from the Amazon ECR user guide
 * (ecr-eventbridge.html); the others differ from it only in {@code result} or {@code action-type}.
 * With context {@code eventsExcludePrefix}, the same push into a repository under that prefix (a
 * mirror destination) starts nothing.
 */
class EcrPushPatternTest {

  private static final String RULE = "ecr-push";

  private static Machine machine;
  private static Machine excluding;

  @BeforeAll
  static void loadSynthesizedPatterns() throws Exception {
    machine = machine(Map.of());
    excluding = machine(Map.of("eventsExcludePrefix", "mirror/"));
  }

  /** The push rule of the stack synthesized with this context, loaded into event-ruler. */
  private static Machine machine(Map<String, Object> context) throws Exception {
    Stack stack = Stacks.stack(context);
    Template template = Template.fromStack(stack);
    var patternRules =
        template.findResources(
            "AWS::Events::Rule",
            Map.of(
                "Properties",
                Map.of("EventPattern", Match.objectLike(Map.of("source", List.of("aws.ecr"))))));
    assertThat(patternRules).hasSize(1);
    var properties = (Map<?, ?>) ((Map<?, ?>) patternRules.values().iterator().next()).get("Properties");
    Object pattern = properties.get("EventPattern");
    Machine loaded = new Machine();
    // CDK's own JSON rendering of the pattern, exactly as it goes into the template.
    loaded.addRule(RULE, stack.resolve(stack.toJsonString(pattern)).toString());
    return loaded;
  }

  @Test
  void matchesASuccessfulPush() throws Exception {
    assertThat(machine.rulesForJSONEvent(event("ecr-push-success.json"))).containsExactly(RULE);
  }

  @Test
  void ignoresAFailedPush() throws Exception {
    assertThat(machine.rulesForJSONEvent(event("ecr-push-failure.json"))).isEmpty();
  }

  @Test
  void ignoresADeletion() throws Exception {
    assertThat(machine.rulesForJSONEvent(event("ecr-delete-success.json"))).isEmpty();
  }

  @Test
  void withAnExcludedPrefixAPushIntoAMirrorDestinationStartsNothing() throws Exception {
    String push = event("ecr-push-success.json");

    assertThat(excluding.rulesForJSONEvent(inRepository(push, "mirror/library/busybox"))).isEmpty();
    assertThat(excluding.rulesForJSONEvent(inRepository(push, "mirror/x"))).isEmpty();
    assertThat(excluding.rulesForJSONEvent(inRepository(push, "app"))).containsExactly(RULE);
    // A prefix, not a substring: a repository that merely contains it is still a source.
    assertThat(excluding.rulesForJSONEvent(inRepository(push, "team/mirror/app"))).containsExactly(RULE);
    assertThat(excluding.rulesForJSONEvent(event("ecr-push-failure.json"))).isEmpty();
  }

  @Test
  void theExcludedPrefixIsAnAnythingButPrefixOnTheRepositoryName() {
    Template template = Stacks.template(Map.of("eventsExcludePrefix", "mirror/"));
    template.hasResourceProperties(
        "AWS::Events::Rule",
        Map.of(
            "EventPattern",
            Match.objectLike(
                Map.of(
                    "detail",
                    Map.of(
                        "action-type", List.of("PUSH"),
                        "result", List.of("SUCCESS"),
                        "repository-name", List.of(Map.of("anything-but", Map.of("prefix", "mirror/"))))))));
  }

  /** The sample event, pushed into {@code repository} instead. */
  private static String inRepository(String event, String repository) {
    return event.replace("\"my-repository-name\"", "\"" + repository + "\"");
  }

  private static String event(String name) throws IOException {
    try (InputStream in = EcrPushPatternTest.class.getResourceAsStream("/events/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
