package dev.ecrmirror.cdk;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.services.ec2.CfnVPCEndpoint;
import software.amazon.awscdk.services.ec2.GatewayVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.ISecurityGroup;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.constructs.Construct;

/**
 * The VPC endpoints that let tasks without internet access reach every AWS API the jobs use, so
 * ECR-to-ECR mirroring runs with no NAT gateway and no public IP.
 *
 * <p>Interface endpoints (private DNS, so the SDKs and the Fargate agent use the usual host names)
 * for ECR's API and registry, SQS (the events queue), CloudWatch Logs (the awslogs driver), Secrets
 * Manager (the credentials secret, injected at task start), STS and Batch (the controller submits
 * and describes jobs); gateway endpoints, which cost nothing, for S3 (ECR serves layers from S3)
 * and DynamoDB (the mirror table). The endpoints are L1 resources on purpose: an existing VPC is
 * given by ids only, and the L2 constructs would need each subnet's zone and the VPC's CIDR.
 */
public final class VpcEndpoints extends Construct {

  /** The interface endpoints, by construct id. */
  static final Map<String, InterfaceVpcEndpointAwsService> INTERFACE_SERVICES = interfaceServices();

  /** The gateway endpoints, by construct id. */
  static final Map<String, GatewayVpcEndpointAwsService> GATEWAY_SERVICES = gatewayServices();

  private final SecurityGroup securityGroup;

  /**
   * Endpoints in {@code vpc}: interface endpoints in {@code subnetIds} (one per availability zone)
   * reachable on 443 from {@code tasks}, gateway endpoints on {@code routeTableIds}.
   */
  public VpcEndpoints(
      Construct scope,
      String id,
      IVpc vpc,
      List<String> subnetIds,
      List<String> routeTableIds,
      ISecurityGroup tasks) {
    super(scope, id);
    this.securityGroup =
        SecurityGroup.Builder.create(this, "SecurityGroup")
            .vpc(vpc)
            .description("ecr-mirror VPC endpoints: HTTPS from the Batch tasks only")
            .allowAllOutbound(false)
            .build();
    securityGroup.addIngressRule(tasks, Port.tcp(443), "HTTPS from the ecr-mirror Batch tasks");
    INTERFACE_SERVICES.forEach(
        (name, service) ->
            CfnVPCEndpoint.Builder.create(this, name)
                .vpcId(vpc.getVpcId())
                .serviceName(service.getName())
                .vpcEndpointType("Interface")
                .privateDnsEnabled(true)
                .subnetIds(subnetIds)
                .securityGroupIds(List.of(securityGroup.getSecurityGroupId()))
                .build());
    GATEWAY_SERVICES.forEach(
        (name, service) ->
            CfnVPCEndpoint.Builder.create(this, name)
                .vpcId(vpc.getVpcId())
                .serviceName(service.getName())
                .vpcEndpointType("Gateway")
                .routeTableIds(routeTableIds)
                .build());
  }

  /** The endpoints' security group (443 in from the tasks, nothing out). */
  public ISecurityGroup securityGroup() {
    return securityGroup;
  }

  private static Map<String, InterfaceVpcEndpointAwsService> interfaceServices() {
    var services = new LinkedHashMap<String, InterfaceVpcEndpointAwsService>();
    services.put("EcrApi", InterfaceVpcEndpointAwsService.ECR);
    services.put("EcrDocker", InterfaceVpcEndpointAwsService.ECR_DOCKER);
    services.put("Sqs", InterfaceVpcEndpointAwsService.SQS);
    services.put("Logs", InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS);
    services.put("SecretsManager", InterfaceVpcEndpointAwsService.SECRETS_MANAGER);
    services.put("Sts", InterfaceVpcEndpointAwsService.STS);
    services.put("Batch", InterfaceVpcEndpointAwsService.BATCH);
    return Collections.unmodifiableMap(services);
  }

  private static Map<String, GatewayVpcEndpointAwsService> gatewayServices() {
    var services = new LinkedHashMap<String, GatewayVpcEndpointAwsService>();
    services.put("S3", GatewayVpcEndpointAwsService.S3);
    services.put("DynamoDb", GatewayVpcEndpointAwsService.DYNAMODB);
    return Collections.unmodifiableMap(services);
  }
}
