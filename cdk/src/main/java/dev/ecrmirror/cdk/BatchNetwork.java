package dev.ecrmirror.cdk;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.util.List;
import java.util.Optional;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.services.ec2.ISecurityGroup;
import software.amazon.awscdk.services.ec2.ISubnet;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.Subnet;
import software.amazon.awscdk.services.ec2.SubnetConfiguration;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ec2.VpcAttributes;
import software.constructs.Construct;

/**
 * The network of the Batch tasks: a new public-only VPC, or an existing VPC and subnets by id; in
 * private mode, a new isolated-only VPC (or the existing one) with {@link VpcEndpoints}.
 *
 * <p>Nothing here looks anything up at synth time, so {@code cdk synth} works offline: a new VPC
 * takes its availability zones from {@code Fn::GetAZs} (the stack is environment-agnostic), and an
 * existing one is referenced by the ids given in context.
 */
public final class BatchNetwork extends Construct {

  private final IVpc vpc;
  private final SubnetSelection subnets;
  private final ISecurityGroup securityGroup;
  private final boolean assignPublicIp;
  private final List<String> subnetIds;
  private final List<String> routeTableIds;
  private final Optional<VpcEndpoints> endpoints;

  public BatchNetwork(Construct scope, String id, NetworkProps props) {
    super(scope, id);
    this.assignPublicIp = props.assignPublicIp();
    if (props.vpcId().isEmpty()) {
      // No NAT gateway either way: a NAT gateway would cost more than the tasks and would bill per
      // GB for every layer copied. Public subnets give tasks public IPs; isolated subnets (private
      // mode) reach AWS through the endpoints below and nothing else.
      SubnetType type = props.privateSubnets() ? SubnetType.PRIVATE_ISOLATED : SubnetType.PUBLIC;
      Vpc created =
          Vpc.Builder.create(this, "Vpc")
              .maxAzs(2)
              .natGateways(0)
              .subnetConfiguration(
                  List.of(
                      SubnetConfiguration.builder()
                          .name(props.privateSubnets() ? "isolated" : "public")
                          .subnetType(type)
                          .cidrMask(24)
                          .build()))
              .build();
      NagSuppressions.addResourceSuppressions(
          created,
          List.of(
              NagPackSuppression.builder()
                  .id("AwsSolutions-VPC7")
                  .reason(
                      "The VPC only carries outbound registry traffic of short-lived Batch tasks;"
                          + " flow logs are left to the operator (or pass an existing VPC by context).")
                  .build()));
      this.vpc = created;
      this.subnets = SubnetSelection.builder().subnetType(type).build();
      this.subnetIds = created.selectSubnets(subnets).getSubnetIds();
      this.routeTableIds =
          created.selectSubnets(subnets).getSubnets().stream()
              .map(subnet -> subnet.getRouteTable().getRouteTableId())
              .toList();
    } else {
      this.vpc =
          Vpc.fromVpcAttributes(
              this,
              "Vpc",
              VpcAttributes.builder()
                  .vpcId(props.vpcId().get())
                  // Subnets are passed explicitly below, so the zones are never used for subnet
                  // selection; Fn::GetAZs keeps synth free of lookups.
                  .availabilityZones(Fn.getAzs())
                  .build());
      Annotations.of(vpc)
          .acknowledgeWarning(
              "@aws-cdk/aws-ec2:vpcAttributeIsListTokenavailabilityZones",
              "Subnets are given by id, never selected by zone");
      List<ISubnet> imported =
          props.subnetIds().stream()
              .map(
                  subnetId -> {
                    ISubnet subnet = Subnet.fromSubnetId(this, "Subnet-" + subnetId, subnetId);
                    Annotations.of(subnet)
                        .acknowledgeWarning(
                            "@aws-cdk/aws-ec2:noSubnetRouteTableId",
                            "Batch needs only the subnet id, never its route table");
                    return subnet;
                  })
              .toList();
      this.subnets = SubnetSelection.builder().subnets(imported).build();
      this.subnetIds = props.subnetIds();
      this.routeTableIds = props.routeTableIds();
    }
    this.securityGroup =
        props.securityGroupId().isPresent()
            ? SecurityGroup.fromSecurityGroupId(this, "TaskSecurityGroup", props.securityGroupId().get())
            : SecurityGroup.Builder.create(this, "TaskSecurityGroup")
                .vpc(vpc)
                .description("ecr-mirror Batch tasks: outbound to registries and AWS APIs only")
                .allowAllOutbound(true)
                .build();
    this.endpoints =
        props.privateSubnets()
            ? Optional.of(
                new VpcEndpoints(this, "Endpoints", vpc, subnetIds, routeTableIds, securityGroup))
            : Optional.empty();
  }

  public IVpc vpc() {
    return vpc;
  }

  public SubnetSelection subnets() {
    return subnets;
  }

  public ISecurityGroup securityGroup() {
    return securityGroup;
  }

  /** The VPC endpoints of private mode, if on. */
  public Optional<VpcEndpoints> endpoints() {
    return endpoints;
  }

  /** Whether tasks need a public IP to reach registries (true in the stack's public-only VPC). */
  public boolean assignPublicIp() {
    return assignPublicIp;
  }
}
