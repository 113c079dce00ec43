package dev.ecrmirror.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.cxapi.SynthesisMessage;

/** The stack passes the AWS Solutions rules of cdk-nag, every exception justified in place. */
class CdkNagTest {

  static Stream<Map<String, Object>> variants() {
    return Stream.of(
        Map.of(),
        Map.of("vpcId", "vpc-0123456789abcdef0", "subnetIds", "subnet-0aaaaaaaaaaaaaaaa"),
        Map.of("ecrRepositoryPrefix", "mirror/", "spot", "false", "schedule", "none"),
        Map.of("fromEcrTags", "true", "runReports", "true"),
        Map.of(
            "notifyEmail", "ops@example.com",
            "slackWebhookSecretArn",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-mirror/slack-AbCdEf"),
        Map.of("fromEcrTags", "true", "ecrRepositoryPrefix", "mirror/"),
        Map.of("privateSubnets", "true"),
        Map.of(
            "assumeRoles", Map.of("210987654321", "arn:aws:iam::210987654321:role/ecr-mirror-push"),
            "repositorySettings",
            "{\"encryption\":\"KMS\",\"kmsKey\":\"arn:aws:kms:us-east-1:123456789012:key/abc\"}"),
        Map.of(
            "privateSubnets", "true",
            "vpcId", "vpc-0123456789abcdef0",
            "subnetIds", "subnet-0aaaaaaaaaaaaaaaa",
            "routeTableIds", "rtb-0dddddddddddddddd"));
  }

  @ParameterizedTest
  @MethodSource("variants")
  void noUnsuppressedErrorsOrWarnings(Map<String, Object> context) {
    var stack = Stacks.stack(context);
    Aspects.of(stack).add(AwsSolutionsChecks.Builder.create().verbose(true).build());

    List<SynthesisMessage> errors =
        Annotations.fromStack(stack).findError("*", Match.stringLikeRegexp("AwsSolutions-.*"));
    List<SynthesisMessage> warnings =
        Annotations.fromStack(stack).findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*"));

    assertThat(errors).extracting(CdkNagTest::describe).isEmpty();
    assertThat(warnings).extracting(CdkNagTest::describe).isEmpty();
  }

  private static String describe(SynthesisMessage message) {
    return message.getId() + ": " + message.getEntry().getData();
  }
}
