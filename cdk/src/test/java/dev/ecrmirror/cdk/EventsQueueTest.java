package dev.ecrmirror.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Capture;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class EventsQueueTest {

  private static final int FOURTEEN_DAYS_SECONDS = 14 * 24 * 3600;

  private static Template template;

  @BeforeAll
  static void synth() {
    template = Stacks.template();
  }

  @Test
  void eventsQueueRedrivesToTheDeadLetterQueueAfterFiveReceives() {
    template.resourceCountIs("AWS::SQS::Queue", 2);
    var deadLetterArn = new Capture();
    template.hasResourceProperties(
        "AWS::SQS::Queue",
        Map.of(
            "RedrivePolicy",
            Map.of("maxReceiveCount", 5, "deadLetterTargetArn", Map.of("Fn::GetAtt", deadLetterArn))));
    String deadLetterId = ((List<?>) deadLetterArn.asArray()).get(0).toString();
    assertThat(template.findResources("AWS::SQS::Queue")).containsKey(deadLetterId);
  }

  @Test
  void bothQueuesKeepMessagesFourteenDaysEncryptedBySqs() {
    template.resourcePropertiesCountIs(
        "AWS::SQS::Queue",
        Map.of("MessageRetentionPeriod", FOURTEEN_DAYS_SECONDS, "SqsManagedSseEnabled", true),
        2);
  }

  @Test
  void bothQueuesRefuseUnencryptedTransport() {
    template.resourcePropertiesCountIs(
        "AWS::SQS::QueuePolicy",
        Map.of(
            "PolicyDocument",
            Map.of(
                "Statement",
                Match.arrayWith(
                    List.of(
                        Match.objectLike(
                            Map.of(
                                "Effect", "Deny",
                                "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))))))),
        2);
  }
}
