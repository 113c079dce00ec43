package dev.ecrmirror.cdk;

import java.util.List;
import software.amazon.awscdk.services.batch.FargateComputeEnvironment;
import software.amazon.awscdk.services.batch.IJobQueue;
import software.amazon.awscdk.services.batch.JobQueue;
import software.amazon.awscdk.services.batch.OrderedComputeEnvironment;
import software.constructs.Construct;

/**
 * The Batch compute: a control queue for the controller and a mirror queue for the workers.
 *
 * <p>Each queue has its own Fargate compute environment so that controllers (started by every ECR
 * push) are capped at a couple at a time and never wait behind hundreds of mirror jobs, and a flood
 * of mirror jobs cannot starve the controller that submitted them.
 */
public final class BatchCompute extends Construct {

  /** vCPU cap of the control environment: two 0.5 vCPU controllers at once are plenty. */
  static final int CONTROL_MAX_VCPUS = 1;

  private final JobQueue controlQueue;
  private final JobQueue mirrorQueue;

  /**
   * Options of the Batch compute.
   *
   * @param network where the tasks run
   * @param spot Fargate Spot (cheaper, interruptible; jobs retry) or on-demand Fargate
   * @param mirrorMaxVcpus how many worker vCPUs may run at once
   */
  public record Props(BatchNetwork network, boolean spot, int mirrorMaxVcpus) {}

  public BatchCompute(Construct scope, String id, Props props) {
    super(scope, id);
    this.controlQueue = queue("Control", props, CONTROL_MAX_VCPUS);
    this.mirrorQueue = queue("Mirror", props, props.mirrorMaxVcpus());
  }

  private JobQueue queue(String name, Props props, int maxVcpus) {
    var environment =
        FargateComputeEnvironment.Builder.create(this, name + "ComputeEnvironment")
            .vpc(props.network().vpc())
            .vpcSubnets(props.network().subnets())
            .securityGroups(List.of(props.network().securityGroup()))
            .spot(props.spot())
            .maxvCpus(maxVcpus)
            .build();
    return JobQueue.Builder.create(this, name + "Queue")
        .computeEnvironments(
            List.of(OrderedComputeEnvironment.builder().computeEnvironment(environment).order(1).build()))
        .build();
  }

  /** The queue the controller runs on (schedule and ECR push events). */
  public IJobQueue controlQueue() {
    return controlQueue;
  }

  /** The queue mirror-worker jobs run on, whether the controller or a person submitted them. */
  public IJobQueue mirrorQueue() {
    return mirrorQueue;
  }
}
