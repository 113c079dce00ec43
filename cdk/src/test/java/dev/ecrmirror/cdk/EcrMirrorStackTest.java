package dev.ecrmirror.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class EcrMirrorStackTest {

  static Stream<Map<String, Object>> variants() {
    return Stream.of(
        Map.of(),
        Map.of(
            "vpcId", "vpc-0123456789abcdef0",
            "subnetIds", "subnet-0aaaaaaaaaaaaaaaa,subnet-0bbbbbbbbbbbbbbbb",
            "securityGroupId", "sg-0cccccccccccccccc"),
        Map.of("spot", "false", "schedule", "none", "cpuArchitecture", "ARM64"),
        Map.of("privateSubnets", "true"),
        Map.of(
            "privateSubnets", "true",
            "vpcId", "vpc-0123456789abcdef0",
            "subnetIds", "subnet-0aaaaaaaaaaaaaaaa",
            "routeTableIds", "rtb-0dddddddddddddddd"));
  }

  @ParameterizedTest
  @MethodSource("variants")
  void synthesizesOfflineWithoutContextLookups(Map<String, Object> context) {
    App app = new App(AppProps.builder().context(context).build());
    EcrMirrorApp.build(app);

    var manifest = app.synth().getManifest();

    assertThat(manifest.getMissing()).as("context lookups").isNullOrEmpty();
  }

  @ParameterizedTest
  @MethodSource("variants")
  void synthesizesWithoutWarnings(Map<String, Object> context) {
    var warnings = Annotations.fromStack(Stacks.stack(context)).findWarning("*", Match.anyValue());

    assertThat(warnings).extracting(w -> w.getEntry().getData()).isEmpty();
  }

  @Test
  void warnsThatSpotOnGravitonMayBeRejected() {
    var warnings =
        Annotations.fromStack(Stacks.stack(Map.of("spot", "true", "cpuArchitecture", "ARM64")))
            .findWarning("*", Match.stringLikeRegexp(".*Fargate Spot.*X86_64.*"));

    assertThat(warnings).hasSize(1);
  }

  @Test
  void outputsNameEverythingAnOperatorNeeds() {
    Template template = Stacks.template();

    for (String output :
        List.of(
            "MirrorTableName",
            "TagTableName",
            "EventsQueueUrl",
            "DeadLetterQueueUrl",
            "RegistryCredentialsSecretArn",
            "ControlJobQueueArn",
            "MirrorJobQueueArn",
            "ControllerJobDefinitionArn",
            "ControllerEventsJobDefinitionArn",
            "WorkerJobDefinitionArn")) {
      template.hasOutput(output, Map.of("Value", Match.anyValue()));
    }
    template.hasOutput(
        "AdHocMirrorCommand",
        Map.of(
            "Value",
            Map.of(
                "Fn::Join",
                List.of(
                    "",
                    Match.arrayWith(
                        List.of(
                            "aws batch submit-job --job-name mirror-adhoc --job-queue ",
                            Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("ComputeMirrorQueue.*"), "JobQueueArn")),
                            " --job-definition ",
                            Map.of("Ref", Match.stringLikeRegexp("WorkerJobDefinition.*")),
                            Match.stringLikeRegexp(" --parameters source=.*,dest=.*")))))));
  }

  @ParameterizedTest
  @MethodSource("variants")
  void noIamPolicyAllowsWildcardActions(Map<String, Object> context) {
    Template template = Stacks.template(context);

    List<String> actions = new ArrayList<>();
    for (Object policy : template.findResources("AWS::IAM::Policy").values()) {
      var document = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) policy).get("Properties")).get("PolicyDocument");
      for (Object statement : (List<?>) document.get("Statement")) {
        Object action = ((Map<?, ?>) statement).get("Action");
        if (action instanceof Collection<?> many) {
          many.forEach(a -> actions.add(a.toString()));
        } else {
          actions.add(action.toString());
        }
      }
    }

    assertThat(actions).isNotEmpty().noneMatch(a -> a.contains("*"));
  }

  @Test
  void stackNameContextAllowsSeveralDeployments() {
    App app = new App(AppProps.builder().context(Map.of("stackName", "EcrMirrorStaging")).build());

    assertThat(EcrMirrorApp.build(app).getStackName()).isEqualTo("EcrMirrorStaging");
  }
}
