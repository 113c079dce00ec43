package dev.ecrmirror.common.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.testing.StubHttpServer;
import dev.ecrmirror.common.testing.StubHttpServer.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * A refused CreateRepository, against a stub of the ECR API. A stub because moto enforces no IAM
 * policy by default, so it never answers {@code AccessDeniedException}; creating, and creating what
 * already exists, run against moto in {@code EcrRepositoriesIT}.
 */
class EcrRepositoriesTest {
  private StubHttpServer ecr;
  private EcrRepositories repositories;

  @BeforeEach
  void start() throws Exception {
    ecr = StubHttpServer.start(request -> Response.of(400, "application/x-amz-json-1.1",
        "{\"__type\":\"AccessDeniedException\",\"message\":\"not authorized to perform ecr:CreateRepository\"}"));
    repositories = new EcrRepositories(region -> EcrClient.builder().region(region).endpointOverride(ecr.uri())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "example-secret")))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .overrideConfiguration(c -> c.retryStrategy(DefaultRetryStrategy.doNotRetry()))
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
  void refusalNamesTheRepositoryAndAccountWithoutLeakingKeys() {
    assertThatThrownBy(() -> repositories.ensureExists(ecrRef("mirror/forbidden")))
        .hasMessageContaining("cannot create ECR repository mirror/forbidden in account 123456789012 (us-west-2)")
        .hasMessageContaining("not authorized")
        .hasMessageNotContaining("example-secret");
  }

  @Test
  void aRefusedRepositoryIsAskedAboutAgain() {
    assertThatThrownBy(() -> repositories.ensureExists(ecrRef("mirror/forbidden")));
    assertThatThrownBy(() -> repositories.ensureExists(ecrRef("mirror/forbidden")));

    // A refusal is not remembered as done: a later push (after the policy is fixed) asks again.
    // (The creation templates, refused too, are read once and taken as none.)
    assertThat(ecr.requests()).filteredOn(r -> r.header("X-Amz-Target").endsWith(".CreateRepository")).hasSize(2);
  }
}
