package dev.ecrmirror.cdk;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class BatchComputeTest {

  @Test
  void controlAndMirrorQueuesEachHaveAFargateSpotEnvironment() {
    Template template = Stacks.template();

    template.resourceCountIs("AWS::Batch::JobQueue", 2);
    template.resourcePropertiesCountIs(
        "AWS::Batch::ComputeEnvironment",
        Map.of("Type", "managed", "ComputeResources", Match.objectLike(Map.of("Type", "FARGATE_SPOT"))),
        2);
  }

  @Test
  void spotFalseSelectsOnDemandFargate() {
    Template template = Stacks.template(Map.of("spot", "false"));

    template.resourcePropertiesCountIs(
        "AWS::Batch::ComputeEnvironment",
        Map.of("ComputeResources", Match.objectLike(Map.of("Type", "FARGATE"))),
        2);
  }

  @Test
  void controllersAreCappedSoPushBurstsCannotCrowdOutWorkers() {
    Template template = Stacks.template(Map.of("maxVcpus", 64));

    template.hasResourceProperties(
        "AWS::Batch::ComputeEnvironment",
        Map.of("ComputeResources", Match.objectLike(Map.of("MaxvCpus", BatchCompute.CONTROL_MAX_VCPUS))));
    template.hasResourceProperties(
        "AWS::Batch::ComputeEnvironment",
        Map.of("ComputeResources", Match.objectLike(Map.of("MaxvCpus", 64))));
  }
}
