package dev.ecrmirror.common.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.testing.StubHttpServer;
import dev.ecrmirror.common.testing.StubHttpServer.Response;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.ecr.EcrClient;

/** Creating missing ECR repositories, against a stub of the ECR API that remembers what exists. */
class EcrRepositoriesTest {
  private final Set<String> existing = ConcurrentHashMap.newKeySet();
  private StubHttpServer ecr;
  private EcrRepositories repositories;

  @BeforeEach
  void start() throws Exception {
    existing.add("mirror/already");
    ecr = StubHttpServer.start(request -> {
      String name = request.bodyText().replaceAll(".*\"repositoryName\":\"([^\"]+)\".*", "$1");
      if (name.equals("mirror/forbidden")) {
        return Response.of(400, "application/x-amz-json-1.1",
            "{\"__type\":\"AccessDeniedException\",\"message\":\"not authorized to perform ecr:CreateRepository\"}");
      }
      if (!existing.add(name)) {
        return Response.of(400, "application/x-amz-json-1.1",
            "{\"__type\":\"RepositoryAlreadyExistsException\",\"message\":\"The repository already exists\"}");
      }
      return Response.of(200, "application/x-amz-json-1.1", "{\"repository\":{\"repositoryName\":\"" + name + "\"}}");
    });
    repositories = new EcrRepositories(region -> EcrClient.builder().region(region).endpointOverride(ecr.uri())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "example-secret")))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .overrideConfiguration(c -> c.retryStrategy(software.amazon.awssdk.retries.DefaultRetryStrategy.doNotRetry()))
        .build());
  }

  @AfterEach
  void stop() {
    ecr.close();
  }

  private static ImageReference ecrRef(String repository) {
    return ImageReference.parse("123456789012.dkr.ecr.us-west-2.amazonaws.com/" + repository + ":1");
  }

  @Test
  void createsAMissingRepositoryInTheHostsAccountOnce() {
    assertThat(repositories.ensureExists(ecrRef("mirror/new"))).isTrue();
    assertThat(repositories.ensureExists(ecrRef("mirror/new"))).isFalse();

    assertThat(ecr.requests()).singleElement().satisfies(r -> {
      assertThat(r.header("X-Amz-Target")).endsWith(".CreateRepository");
      assertThat(r.bodyText()).contains("\"registryId\":\"123456789012\"").contains("\"repositoryName\":\"mirror/new\"");
      assertThat(r.header("Authorization")).contains("/us-west-2/ecr/");
    });
    assertThat(existing).contains("mirror/new");
  }

  @Test
  void anExistingRepositoryIsFine() {
    assertThat(repositories.ensureExists(ecrRef("mirror/already"))).isFalse();
  }

  @Test
  void otherRegistriesAreLeftAlone() {
    assertThat(repositories.ensureExists(ImageReference.parse("ghcr.io/org/app:1"))).isFalse();
    assertThat(ecr.requests()).isEmpty();
  }

  @Test
  void refusalNamesTheRepositoryAndAccount() {
    assertThatThrownBy(() -> repositories.ensureExists(ecrRef("mirror/forbidden")))
        .hasMessageContaining("cannot create ECR repository mirror/forbidden in account 123456789012 (us-west-2)")
        .hasMessageContaining("not authorized");
  }
}
