package dev.ecrmirror.controller.settings;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.DescribeRepositoriesRequest;
import software.amazon.awssdk.services.ecr.model.DescribeRepositoriesResponse;
import software.amazon.awssdk.services.ecr.model.DescribeRepositoryCreationTemplatesRequest;
import software.amazon.awssdk.services.ecr.model.DescribeRepositoryCreationTemplatesResponse;
import software.amazon.awssdk.services.ecr.model.GetLifecyclePolicyRequest;
import software.amazon.awssdk.services.ecr.model.GetLifecyclePolicyResponse;
import software.amazon.awssdk.services.ecr.model.ListTagsForResourceRequest;
import software.amazon.awssdk.services.ecr.model.ListTagsForResourceResponse;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;

/**
 * The read-only ECR calls a settings check makes for one registry, each asked once per run: rows
 * that share a repository (two labels of one source, say) get the answer, or the error, of the first
 * call. When {@code DescribeRepositories} itself fails (no credentials, access denied, ECR down) the
 * registry is unreachable and every later call fails at once with that error, so a registry that
 * cannot be asked costs one call, not one per repository. Other calls are not supported.
 */
final class OnceEcrClient implements EcrClient {
  private final EcrClient ecr;
  private final Map<Object, Object> answers = new ConcurrentHashMap<>();
  private volatile SdkException unreachable;

  OnceEcrClient(EcrClient ecr) {
    this.ecr = ecr;
  }

  /** Why the registry could not be asked, if it could not. */
  Optional<SdkException> unreachable() {
    return Optional.ofNullable(unreachable);
  }

  @Override
  public DescribeRepositoriesResponse describeRepositories(DescribeRepositoriesRequest request) {
    try {
      return once(request, () -> ecr.describeRepositories(request));
    } catch (RepositoryNotFoundException e) {
      throw e;
    } catch (SdkException e) {
      unreachable = e;
      throw e;
    }
  }

  @Override
  public GetLifecyclePolicyResponse getLifecyclePolicy(GetLifecyclePolicyRequest request) {
    return once(request, () -> ecr.getLifecyclePolicy(request));
  }

  @Override
  public ListTagsForResourceResponse listTagsForResource(ListTagsForResourceRequest request) {
    return once(request, () -> ecr.listTagsForResource(request));
  }

  @Override
  public DescribeRepositoryCreationTemplatesResponse describeRepositoryCreationTemplates(
      DescribeRepositoryCreationTemplatesRequest request) {
    return once(request, () -> ecr.describeRepositoryCreationTemplates(request));
  }

  /** The answer to {@code request}: asked now, or as it was the first time (an error is thrown again). */
  @SuppressWarnings("unchecked")
  private <T> T once(Object request, Supplier<T> call) {
    SdkException down = unreachable;
    if (down != null) {
      throw down;
    }
    Object answer = answers.computeIfAbsent(request, r -> {
      try {
        return call.get();
      } catch (SdkException e) {
        return e;
      }
    });
    if (answer instanceof SdkException e) {
      throw e;
    }
    return (T) answer;
  }

  @Override
  public String serviceName() {
    return ecr.serviceName();
  }

  @Override
  public void close() {
    // The underlying client belongs to the run's AwsClients, which closes it.
  }
}
