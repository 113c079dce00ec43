package dev.ecrmirror.cdk;

import java.util.List;
import java.util.Optional;

/**
 * Where the Batch tasks run: a VPC the stack creates, or an existing one named by id.
 *
 * @param vpcId the existing VPC, or empty to create one
 * @param subnetIds the existing subnets the tasks use (only with {@code vpcId})
 * @param securityGroupId an existing security group for the tasks, or empty to create one
 * @param assignPublicIp whether tasks get a public IP; required in public subnets without NAT
 * @param privateSubnets whether the tasks run without internet access, reaching AWS through VPC
 *     endpoints the stack creates (isolated subnets when the stack creates the VPC)
 * @param routeTableIds the route tables of the existing subnets, for the S3 and DynamoDB gateway
 *     endpoints (only with {@code vpcId} and {@code privateSubnets})
 */
public record NetworkProps(
    Optional<String> vpcId,
    List<String> subnetIds,
    Optional<String> securityGroupId,
    boolean assignPublicIp,
    boolean privateSubnets,
    List<String> routeTableIds) {

  public NetworkProps {
    subnetIds = List.copyOf(subnetIds);
    routeTableIds = List.copyOf(routeTableIds);
  }

  /** A new VPC with public subnets only: tasks reach registries through their public IP, no NAT. */
  public static NetworkProps createVpc() {
    return new NetworkProps(Optional.empty(), List.of(), Optional.empty(), true, false, List.of());
  }

  /** A new VPC with isolated subnets only: tasks reach AWS through VPC endpoints, nothing else. */
  public static NetworkProps createPrivateVpc() {
    return new NetworkProps(Optional.empty(), List.of(), Optional.empty(), false, true, List.of());
  }
}
