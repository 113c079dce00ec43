package dev.ecrmirror.cdk;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.ecr.CfnRepository;
import software.amazon.awscdk.services.ecr.IRepository;
import software.amazon.awscdk.services.ecr.ImageTagMutabilityExclusionFilter;
import software.amazon.awscdk.services.ecr.LifecycleRule;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.ecr.RepositoryEncryption;
import software.amazon.awscdk.services.ecr.TagMutability;
import software.amazon.awscdk.services.ecr.TagStatus;
import software.constructs.Construct;

/**
 * The two ECR repositories the job images are pushed to ({@code <path>/controller} and
 * {@code <path>/mirror-worker}), in the stack's account and region.
 *
 * <p>Release tags are immutable: a job definition names {@code controller:0.1.0}, and what runs
 * under that name must never change behind it. Tags matching {@link #MUTABLE_TAGS} stay movable
 * for development pushes ({@code images.jar --tag dev}). The repositories hold the images the
 * deployment runs, so they outlive the stack, as the mirror table does.
 */
public final class ImageRepositories extends Construct {

  /** The image names, as {@code images.jar} pushes them under its {@code --to} prefix. */
  static final List<String> IMAGE_NAMES = List.of("controller", "mirror-worker");

  /** Tags that may be pushed again with other contents: development builds, never releases. */
  static final List<String> MUTABLE_TAGS = List.of("dev*", "latest");

  /**
   * How long an untagged image is kept: long enough to roll back to a digest a job definition
   * was pinned to by {@code controllerImage=…@sha256:…}, short enough not to pile up.
   */
  static final int UNTAGGED_RETENTION_DAYS = 30;

  private final String path;
  private final Map<String, Repository> repositories = new LinkedHashMap<>();

  /**
   * Creates the repositories under {@code path} (e.g. {@code ecr-mirror}; empty for the registry
   * root).
   */
  public ImageRepositories(Construct scope, String id, String path) {
    super(scope, id);
    this.path = path;
    for (String name : IMAGE_NAMES) {
      Repository repository =
          Repository.Builder.create(this, name.equals("controller") ? "Controller" : "MirrorWorker")
              .repositoryName(repositoryName(path, name))
              .imageScanOnPush(true)
              .imageTagMutability(TagMutability.IMMUTABLE_WITH_EXCLUSION)
              .imageTagMutabilityExclusionFilters(
                  MUTABLE_TAGS.stream().map(ImageTagMutabilityExclusionFilter::wildcard).toList())
              .encryption(RepositoryEncryption.AES_256)
              .lifecycleRules(
                  List.of(
                      LifecycleRule.builder()
                          .description(
                              "Expire untagged images (superseded dev pushes) after "
                                  + UNTAGGED_RETENTION_DAYS + " days")
                          .tagStatus(TagStatus.UNTAGGED)
                          .maxImageAge(Duration.days(UNTAGGED_RETENTION_DAYS))
                          .build()))
              .removalPolicy(RemovalPolicy.RETAIN)
              .build();
      // CDK leaves AES256 (ECR's default) out of the template; spelled out, the template says
      // how the images are encrypted at rest without knowing ECR's defaults.
      ((CfnRepository) repository.getNode().getDefaultChild())
          .addPropertyOverride("EncryptionConfiguration.EncryptionType", "AES256");
      repositories.put(name, repository);
    }
  }

  /** {@code <path>/<name>}, or {@code <name>} at the registry root. */
  static String repositoryName(String path, String name) {
    return path.isEmpty() ? name : path + "/" + name;
  }

  /** The repository of the image {@code name} ({@code controller} or {@code mirror-worker}). */
  IRepository repository(String name) {
    Repository repository = repositories.get(name);
    if (repository == null) {
      throw new IllegalArgumentException("no image repository named " + name);
    }
    return repository;
  }

  /** {@code <account>.dkr.ecr.<region>.<suffix>[/<path>]}: the {@code --to} of {@code images.jar}. */
  String imagePrefix() {
    String registry = Aws.ACCOUNT_ID + ".dkr.ecr." + Aws.REGION + "." + Aws.URL_SUFFIX;
    return path.isEmpty() ? registry : registry + "/" + path;
  }
}
