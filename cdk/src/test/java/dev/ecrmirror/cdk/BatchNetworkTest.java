package dev.ecrmirror.cdk;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class BatchNetworkTest {

  private static final Map<String, Object> EXISTING_VPC =
      Map.of(
          "vpcId", "vpc-0123456789abcdef0",
          "subnetIds", "subnet-0aaaaaaaaaaaaaaaa, subnet-0bbbbbbbbbbbbbbbb",
          "securityGroupId", "sg-0cccccccccccccccc");

  @Test
  void createsAPublicOnlyVpcWithoutNatGateways() {
    Template template = Stacks.template();

    template.resourceCountIs("AWS::EC2::VPC", 1);
    template.resourceCountIs("AWS::EC2::NatGateway", 0);
    template.resourceCountIs("AWS::EC2::InternetGateway", 1);
    template.resourcePropertiesCountIs(
        "AWS::EC2::Subnet", Map.of("MapPublicIpOnLaunch", true), 2);
    template.resourceCountIs("AWS::EC2::Subnet", 2);
  }

  @Test
  void tasksInTheCreatedVpcGetPublicIps() {
    Template template = Stacks.template();

    template.resourcePropertiesCountIs(
        "AWS::Batch::JobDefinition",
        Map.of(
            "ContainerProperties",
            Match.objectLike(Map.of("NetworkConfiguration", Map.of("AssignPublicIp", "ENABLED")))),
        3);
  }

  @Test
  void usesTheVpcSubnetsAndSecurityGroupGivenByContext() {
    Template template = Stacks.template(EXISTING_VPC);

    template.resourceCountIs("AWS::EC2::VPC", 0);
    template.resourceCountIs("AWS::EC2::SecurityGroup", 0);
    template.resourcePropertiesCountIs(
        "AWS::Batch::ComputeEnvironment",
        Map.of(
            "ComputeResources",
            Match.objectLike(
                Map.of(
                    "Subnets", List.of("subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"),
                    "SecurityGroupIds", List.of("sg-0cccccccccccccccc")))),
        2);
  }

  @Test
  void anExistingVpcIsAssumedPrivateUnlessToldOtherwise() {
    Template privateSubnets = Stacks.template(EXISTING_VPC);
    privateSubnets.resourcePropertiesCountIs(
        "AWS::Batch::JobDefinition",
        Map.of(
            "ContainerProperties",
            Match.objectLike(Map.of("NetworkConfiguration", Map.of("AssignPublicIp", "DISABLED")))),
        3);

    var publicContext = new java.util.HashMap<>(EXISTING_VPC);
    publicContext.put("assignPublicIp", "true");
    Template publicSubnets = Stacks.template(publicContext);
    publicSubnets.resourcePropertiesCountIs(
        "AWS::Batch::JobDefinition",
        Map.of(
            "ContainerProperties",
            Match.objectLike(Map.of("NetworkConfiguration", Map.of("AssignPublicIp", "ENABLED")))),
        3);
  }

  @Test
  void createsAnOutboundOnlySecurityGroupInAnExistingVpcWhenNoneIsGiven() {
    Template template =
        Stacks.template(Map.of("vpcId", "vpc-0123456789abcdef0", "subnetIds", "subnet-0aaaaaaaaaaaaaaaa"));

    template.resourceCountIs("AWS::EC2::SecurityGroup", 1);
    template.hasResourceProperties(
        "AWS::EC2::SecurityGroup",
        Map.of(
            "VpcId", "vpc-0123456789abcdef0",
            "SecurityGroupEgress", List.of(Match.objectLike(Map.of("CidrIp", "0.0.0.0/0"))),
            "SecurityGroupIngress", Match.absent()));
  }
}
