package dev.ecrmirror.cdk;

import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.services.ecr.IRepository;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.ecr.RepositoryAttributes;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.iam.IGrantable;
import software.constructs.Construct;

/**
 * The container image of one job, and the ECR repository it is pulled from when it is in ECR.
 *
 * <p>The image URI is used exactly as configured (tag or digest); when it names an ECR repository,
 * the task execution role is granted pull on that repository only.
 */
public final class JobImage {

  /** {@code <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:tag][@digest]}. */
  private static final Pattern ECR_URI =
      Pattern.compile(
          "(?<account>\\d{12})\\.dkr\\.ecr\\.(?<region>[a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?"
              + "/(?<repository>[a-z0-9._/-]+?)(?::[\\w][\\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?");

  private final String uri;
  private final Optional<IRepository> repository;

  private JobImage(String uri, Optional<IRepository> repository) {
    this.uri = uri;
    this.repository = repository;
  }

  /**
   * The image named {@code name} (e.g. {@code mirror-worker}) as configured: the explicit
   * {@code override} URI if present, else {@code <imagePrefix>/<name>:<imageTag>}, where an empty
   * prefix means this account's ECR in the stack's region under {@code ecr-mirror/}. When the
   * stack created that repository ({@code created}), pull is granted on it.
   */
  static JobImage of(
      Construct scope,
      String id,
      StackConfig config,
      String name,
      Optional<String> override,
      Optional<IRepository> created) {
    if (override.isPresent()) {
      return fromUri(scope, id, override.get());
    }
    if (config.imagePrefix().isEmpty()) {
      String repositoryName = StackConfig.DEFAULT_REPOSITORY_PATH + "/" + name;
      IRepository repository =
          created.orElseGet(() -> Repository.fromRepositoryName(scope, id, repositoryName));
      // Spelled from the stack's account and region rather than from the created repository's
      // ARN, so that the job definitions (replaced on any change) read as before it existed.
      String uri =
          Aws.ACCOUNT_ID + ".dkr.ecr." + Aws.REGION + "." + Aws.URL_SUFFIX + "/" + repositoryName
              + ":" + config.imageTag();
      return new JobImage(uri, Optional.of(repository));
    }
    return fromUri(scope, id, config.imagePrefix() + "/" + name + ":" + config.imageTag());
  }

  private static JobImage fromUri(Construct scope, String id, String uri) {
    var ecr = ECR_URI.matcher(uri);
    if (!ecr.matches()) {
      // Another registry (public, or reachable without ECR credentials): nothing to grant.
      return new JobImage(uri, Optional.empty());
    }
    String repositoryName = ecr.group("repository");
    IRepository repository =
        Repository.fromRepositoryAttributes(
            scope,
            id,
            RepositoryAttributes.builder()
                .repositoryName(repositoryName)
                .repositoryArn(
                    "arn:" + Aws.PARTITION + ":ecr:" + ecr.group("region") + ":" + ecr.group("account")
                        + ":repository/" + repositoryName)
                .build());
    return new JobImage(uri, Optional.of(repository));
  }

  /** The image URI exactly as the job definition references it. */
  public String uri() {
    return uri;
  }

  /** The image for a container definition. */
  ContainerImage containerImage() {
    return ContainerImage.fromRegistry(uri);
  }

  /** Lets {@code executionRole} pull this image, when it lives in ECR. */
  void grantPull(IGrantable executionRole) {
    repository.ifPresent(r -> r.grantPull(executionRole));
  }
}
