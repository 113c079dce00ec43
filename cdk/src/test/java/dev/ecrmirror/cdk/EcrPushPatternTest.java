package dev.ecrmirror.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
 */
class EcrPushPatternTest {

  private static final String RULE = "ecr-push";

  private static Machine machine;

  @BeforeAll
  static void loadSynthesizedPattern() throws IOException {
    Stack stack = Stacks.stack(Map.of());
    Template template = Template.fromStack(stack);
    var patternRules =
        template.findResources(
            "AWS::Events::Rule",
            Map.of("Properties", Map.of("EventPattern", Match.anyValue())));
    assertThat(patternRules).hasSize(1);
    var properties = (Map<?, ?>) ((Map<?, ?>) patternRules.values().iterator().next()).get("Properties");
    Object pattern = properties.get("EventPattern");
    machine = new Machine();
    // CDK's own JSON rendering of the pattern, exactly as it goes into the template.
    machine.addRule(RULE, stack.resolve(stack.toJsonString(pattern)).toString());
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

  private static String event(String name) throws IOException {
    try (InputStream in = EcrPushPatternTest.class.getResourceAsStream("/events/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
