package dev.ecrmirror.worker;

import java.util.function.Function;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/** What tests copying between loopback registries give the engine factory for the ECR API they never reach. */
final class MirrorEngineTesting {
  /** Fails the test if an engine ever asks for an ECR client: no destination of these tests is in ECR. */
  static final Function<Region, EcrClient> NO_ECR = region -> {
    throw new AssertionError("no ECR destination here, yet the engine asked for an ECR client in " + region);
  };

  private MirrorEngineTesting() {}
}
