package dev.ecrmirror.cdk;

import static org.assertj.core.api.Assertions.assertThat;

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

  private static final Map<String, Object> PRIVATE = Map.of("privateSubnets", "true");

  private static final Map<String, Object> EXISTING_PRIVATE_VPC =
      Map.of(
          "privateSubnets", "true",
          "vpcId", "vpc-0123456789abcdef0",
          "subnetIds", "subnet-0aaaaaaaaaaaaaaaa,subnet-0bbbbbbbbbbbbbbbb",
          "routeTableIds", "rtb-0dddddddddddddddd",
          "securityGroupId", "sg-0cccccccccccccccc");

  @Test
  void privateModeCreatesAnIsolatedVpcWithNoWayToTheInternet() {
    Template template = Stacks.template(PRIVATE);

    template.resourceCountIs("AWS::EC2::VPC", 1);
    template.resourceCountIs("AWS::EC2::InternetGateway", 0);
    template.resourceCountIs("AWS::EC2::NatGateway", 0);
    template.resourcePropertiesCountIs("AWS::EC2::Subnet", Map.of("MapPublicIpOnLaunch", false), 2);
    template.resourceCountIs("AWS::EC2::Subnet", 2);
    template.resourcePropertiesCountIs(
        "AWS::Batch::JobDefinition",
        Map.of(
            "ContainerProperties",
            Match.objectLike(Map.of("NetworkConfiguration", Map.of("AssignPublicIp", "DISABLED")))),
        3);
  }

  @Test
  void privateModeReachesEveryAwsApiTheJobsUseThroughEndpoints() {
    Template template = Stacks.template(PRIVATE);
    List<String> isolatedSubnets = List.copyOf(template.findResources("AWS::EC2::Subnet").keySet());
    List<String> routeTables = List.copyOf(template.findResources("AWS::EC2::RouteTable").keySet());

    assertThat(endpointServices(template, "Interface"))
        .containsExactlyInAnyOrder(".ecr.api", ".ecr.dkr", ".sqs", ".logs", ".secretsmanager", ".sts", ".batch");
    assertThat(endpointServices(template, "Gateway")).containsExactlyInAnyOrder(".s3", ".dynamodb");
    template.resourcePropertiesCountIs(
        "AWS::EC2::VPCEndpoint",
        Map.of(
            "VpcEndpointType", "Interface",
            "PrivateDnsEnabled", true,
            "SubnetIds",
            Match.arrayEquals(isolatedSubnets.stream().map(s -> (Object) Map.of("Ref", s)).toList())),
        7);
    template.resourcePropertiesCountIs(
        "AWS::EC2::VPCEndpoint",
        Map.of(
            "VpcEndpointType", "Gateway",
            "RouteTableIds",
            Match.arrayEquals(routeTables.stream().map(r -> (Object) Map.of("Ref", r)).toList())),
        2);
  }

  @Test
  void theEndpointsAcceptHttpsFromTheTasksOnly() {
    Template template = Stacks.template(PRIVATE);
    String tasks =
        template
            .findResources(
                "AWS::EC2::SecurityGroup",
                Map.of("Properties", Map.of("GroupDescription", Match.stringLikeRegexp("ecr-mirror Batch tasks.*"))))
            .keySet()
            .iterator()
            .next();
    String endpoints =
        template
            .findResources(
                "AWS::EC2::SecurityGroup",
                Map.of("Properties", Map.of("GroupDescription", Match.stringLikeRegexp("ecr-mirror VPC endpoints.*"))))
            .keySet()
            .iterator()
            .next();

    template.resourceCountIs("AWS::EC2::SecurityGroupIngress", 1);
    template.hasResourceProperties(
        "AWS::EC2::SecurityGroupIngress",
        Map.of(
            "IpProtocol", "tcp",
            "FromPort", 443,
            "ToPort", 443,
            "GroupId", Map.of("Fn::GetAtt", List.of(endpoints, "GroupId")),
            "SourceSecurityGroupId", Map.of("Fn::GetAtt", List.of(tasks, "GroupId"))));
    template.hasResourceProperties(
        "AWS::EC2::VPCEndpoint",
        Map.of("SecurityGroupIds", List.of(Map.of("Fn::GetAtt", List.of(endpoints, "GroupId")))));
  }

  @Test
  void privateModeInAnExistingVpcPutsTheEndpointsInItsSubnetsAndRouteTables() {
    Template template = Stacks.template(EXISTING_PRIVATE_VPC);

    template.resourceCountIs("AWS::EC2::VPC", 0);
    template.resourcePropertiesCountIs(
        "AWS::EC2::VPCEndpoint",
        Map.of(
            "VpcId", "vpc-0123456789abcdef0",
            "VpcEndpointType", "Interface",
            "SubnetIds", List.of("subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb")),
        7);
    template.resourcePropertiesCountIs(
        "AWS::EC2::VPCEndpoint",
        Map.of(
            "VpcId", "vpc-0123456789abcdef0",
            "VpcEndpointType", "Gateway",
            "RouteTableIds", List.of("rtb-0dddddddddddddddd")),
        2);
    template.hasResourceProperties(
        "AWS::EC2::SecurityGroupIngress",
        Map.of("FromPort", 443, "SourceSecurityGroupId", "sg-0cccccccccccccccc"));
    template.resourcePropertiesCountIs(
        "AWS::Batch::JobDefinition",
        Map.of(
            "ContainerProperties",
            Match.objectLike(Map.of("NetworkConfiguration", Map.of("AssignPublicIp", "DISABLED")))),
        3);
  }

  @Test
  void thePublicModesCreateNoEndpoints() {
    Stacks.template().resourceCountIs("AWS::EC2::VPCEndpoint", 0);
    Stacks.template(EXISTING_VPC).resourceCountIs("AWS::EC2::VPCEndpoint", 0);
  }

  /** The service of each endpoint of {@code type}, as the part after the region. */
  private static List<String> endpointServices(Template template, String type) {
    return template
        .findResources("AWS::EC2::VPCEndpoint", Map.of("Properties", Map.of("VpcEndpointType", type)))
        .values()
        .stream()
        .map(r -> ((Map<?, ?>) ((Map<?, ?>) r).get("Properties")).get("ServiceName"))
        .map(BatchNetworkTest::serviceSuffix)
        .toList();
  }

  /** {@code .ecr.api} from {@code {"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, ".ecr.api"]]}}. */
  private static String serviceSuffix(Object serviceName) {
    List<?> parts = (List<?>) ((List<?>) ((Map<?, ?>) serviceName).get("Fn::Join")).get(1);
    assertThat(parts.get(1)).isEqualTo(Map.of("Ref", "AWS::Region"));
    return parts.get(2).toString();
  }
}
