package dev.ecrmirror.common.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.testing.StubHttpServer;
import dev.ecrmirror.common.testing.StubHttpServer.Request;
import dev.ecrmirror.common.testing.StubHttpServer.Response;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * Repository creation templates, against a small recording stub of the ECR API: moto 5.2.1 has no
 * repository-creation-template calls. The stub answers DescribeRepositoryCreationTemplates with the
 * templates a test gives, DescribeRepositories with "not found", and CreateRepository with success;
 * the tests assert which calls were sent.
 */
class EcrCreationTemplatesTest {
  private StubHttpServer ecr;

  @AfterEach
  void stop() {
    if (ecr != null) {
      ecr.close();
    }
  }

  private EcrRepositories start(String templates, String settings) throws Exception {
    ecr = StubHttpServer.start(request -> {
      String target = request.header("X-Amz-Target");
      if (target.endsWith(".DescribeRepositoryCreationTemplates")) {
        return Response.of(200, "application/x-amz-json-1.1",
            "{\"registryId\":\"123456789012\",\"repositoryCreationTemplates\":" + templates + "}");
      }
      if (target.endsWith(".DescribeRepositories")) {
        return Response.of(400, "application/x-amz-json-1.1",
            "{\"__type\":\"RepositoryNotFoundException\",\"message\":\"not found\"}");
      }
      return Response.of(200, "application/x-amz-json-1.1", "{\"repository\":{\"repositoryName\":\"x\"}}");
    });
    return new EcrRepositories((account, region) -> EcrClient.builder().region(region).endpointOverride(ecr.uri())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "example-secret")))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .overrideConfiguration(c -> c.retryStrategy(DefaultRetryStrategy.doNotRetry()))
        .build(), RepositorySettings.parse("test", settings));
  }

  private static ImageReference ref(String repository) {
    return ImageReference.parse("123456789012.dkr.ecr.us-west-2.amazonaws.com/" + repository + ":1");
  }

  private List<String> calls() {
    return ecr.requests().stream().map(r -> r.header("X-Amz-Target").replaceFirst(".*\\.", "")).toList();
  }

  private List<Request> creates() {
    return ecr.requests().stream().filter(r -> r.header("X-Amz-Target").endsWith(".CreateRepository")).toList();
  }

  @Test
  void aCreateOnPushTemplateForThePrefixDecidesAndNothingIsCreated() throws Exception {
    EcrRepositories repositories = start("[{\"prefix\":\"mirror\",\"appliedFor\":[\"CREATE_ON_PUSH\"],"
        + "\"imageTagMutability\":\"IMMUTABLE\"}]", "{\"scanOnPush\":true}");

    assertThat(repositories.ensure(ref("mirror/app"))).isEqualTo(EcrRepositories.Outcome.LEFT_TO_TEMPLATE);
    assertThat(repositories.ensure(ref("mirror/other"))).isEqualTo(EcrRepositories.Outcome.LEFT_TO_TEMPLATE);

    assertThat(creates()).isEmpty();
    // The templates are read once per registry; each repository is looked up once.
    assertThat(calls()).containsExactly("DescribeRepositoryCreationTemplates", "DescribeRepositories", "DescribeRepositories");
    assertThat(repositories.differences(ref("mirror/app")))
        .containsExactly("missing: ECR would create it on push from creation template 'mirror'");
  }

  @Test
  void theRootTemplateCoversEveryRepository() throws Exception {
    EcrRepositories repositories = start("[{\"prefix\":\"ROOT\",\"appliedFor\":[\"PULL_THROUGH_CACHE\",\"CREATE_ON_PUSH\"]}]", "{}");

    assertThat(repositories.ensure(ref("anything/at/all"))).isEqualTo(EcrRepositories.Outcome.LEFT_TO_TEMPLATE);
    assertThat(creates()).isEmpty();
  }

  @Test
  void templatesForAnotherPrefixOrOnlyPullThroughCacheLeaveCreationToUsWithOurSettings() throws Exception {
    EcrRepositories repositories = start("[{\"prefix\":\"mirror\",\"appliedFor\":[\"PULL_THROUGH_CACHE\"]},"
        + "{\"prefix\":\"mirrored\",\"appliedFor\":[\"CREATE_ON_PUSH\"]},"
        + "{\"prefix\":\"team/mirror\",\"appliedFor\":[\"CREATE_ON_PUSH\"]}]", "{\"scanOnPush\":true}");

    // "mirrored" is not a prefix of mirror/app: a prefix covers PREFIX/..., nothing else.
    assertThat(repositories.ensure(ref("mirror/app"))).isEqualTo(EcrRepositories.Outcome.CREATED);

    assertThat(creates()).singleElement().satisfies(r -> assertThat(r.bodyText())
        .contains("\"repositoryName\":\"mirror/app\"").contains("\"imageScanningConfiguration\":{\"scanOnPush\":true}"));
  }

  @Test
  void refreshModeNeverAsksForTemplates() throws Exception {
    EcrRepositories repositories = start("[{\"prefix\":\"ROOT\",\"appliedFor\":[\"CREATE_ON_PUSH\"]}]", "{\"mode\":\"refresh\"}");

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> repositories.ensure(ref("mirror/app")))
        .hasMessageContaining("repository mode refresh never creates one");
    assertThat(calls()).containsExactly("DescribeRepositories");
  }
}
