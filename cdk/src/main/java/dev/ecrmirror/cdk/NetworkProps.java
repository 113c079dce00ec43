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
 */
public record NetworkProps(
    Optional<String> vpcId,
    List<String> subnetIds,
    Optional<String> securityGroupId,
    boolean assignPublicIp) {

  public NetworkProps {
    subnetIds = List.copyOf(subnetIds);
  }

  /** A new VPC with public subnets only: tasks reach registries through their public IP, no NAT. */
  public static NetworkProps createVpc() {
    return new NetworkProps(Optional.empty(), List.of(), Optional.empty(), true);
  }
}
