package dev.ecrmirror.common.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecrmirror.common.Json;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryException;
import dev.ecrmirror.common.testing.StubHttpServer;
import dev.ecrmirror.common.testing.StubHttpServer.Response;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * ECR tag listing across pages and its refusals, against a stub of the ECR API. A stub because
 * moto 5.2.1's DescribeImages ignores {@code maxResults} and {@code nextToken} (one page, always;
 * {@code TagListerIT} lists through moto too) and moto enforces no IAM policy by default, so
 * neither paging nor access denied can be seen through it.
 */
class EcrImagesTest {
  private static final String JSON = "application/x-amz-json-1.1";
  private StubHttpServer ecr;

  @AfterEach
  void stop() {
    if (ecr != null) {
      ecr.close();
    }
  }

  private EcrImages images() {
    return new EcrImages(region -> EcrClient.builder().region(region).endpointOverride(ecr.uri())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "example-secret")))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .overrideConfiguration(c -> c.retryStrategy(DefaultRetryStrategy.doNotRetry()))
        .build());
  }

  private static Digest digest(int i) {
    return Digest.sha256(("image " + i).getBytes(StandardCharsets.UTF_8));
  }

  private static String image(int i, String... tags) {
    StringBuilder out = new StringBuilder("{\"imageDigest\":\"" + digest(i) + "\",\"imageTags\":[");
    for (int t = 0; t < tags.length; t++) {
      out.append(t == 0 ? "" : ",").append('"').append(tags[t]).append('"');
    }
    return out.append("]}").toString();
  }

  private static final ImageReference REPO = ImageReference.parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/app");

  @Test
  void listsEveryTagWithItsDigestAcrossPages() throws Exception {
    ecr = StubHttpServer.start(request -> {
      JsonNode body = Json.readTree(request.body());
      String token = body.path("nextToken").asText("");
      return switch (token) {
        case "" -> Response.of(200, JSON, "{\"imageDetails\":[" + image(1, "1.0", "1") + "," + image(2, "1.1")
            + "],\"nextToken\":\"p2\"}");
        case "p2" -> Response.of(200, JSON, "{\"imageDetails\":[" + image(3, "2.0") + "],\"nextToken\":\"p3\"}");
        default -> Response.of(200, JSON, "{\"imageDetails\":[" + image(4, "latest", "2.1") + "]}");
      };
    });

    EcrImages.Tags tags = images().list(REPO);

    assertThat(tags.digests()).containsExactly(
        java.util.Map.entry("1.0", digest(1)), java.util.Map.entry("1", digest(1)),
        java.util.Map.entry("1.1", digest(2)), java.util.Map.entry("2.0", digest(3)),
        java.util.Map.entry("latest", digest(4)), java.util.Map.entry("2.1", digest(4)));
    assertThat(tags.requests()).isEqualTo(3).isEqualTo(ecr.requests().size());
    assertThat(ecr.requests()).allSatisfy(r -> {
      assertThat(r.header("X-Amz-Target")).endsWith(".DescribeImages");
      JsonNode sent = Json.readTree(r.body());
      assertThat(sent.path("registryId").asText()).isEqualTo("123456789012");
      assertThat(sent.path("repositoryName").asText()).isEqualTo("mirror/app");
      assertThat(sent.path("filter").path("tagStatus").asText()).isEqualTo("TAGGED");
      assertThat(sent.path("maxResults").asInt()).isEqualTo(1000);
      assertThat(r.header("Authorization")).contains("/eu-west-1/ecr/");
    });
    assertThat(Json.readTree(ecr.requests().get(2).body()).path("nextToken").asText()).isEqualTo("p3");
  }

  @Test
  void accessDeniedIsOneLineNamingRepositoryAccountAndRegion() throws Exception {
    ecr = StubHttpServer.start(request -> Response.of(400, JSON, "{\"__type\":\"AccessDeniedException\",\"message\":"
        + "\"User: arn:aws:sts::123456789012:assumed-role/controller/x is not authorized to perform: ecr:DescribeImages\"}"));

    assertThatThrownBy(() -> images().list(REPO))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.status()).isEqualTo(403))
        .hasMessage("list tags of " + REPO.name() + " failed: HTTP 403 DENIED: access denied to ECR repository mirror/app"
            + " in account 123456789012 (eu-west-1): User: arn:aws:sts::123456789012:assumed-role/controller/x is not"
            + " authorized to perform: ecr:DescribeImages")
        .hasMessageNotContaining("example-secret");
  }

  @Test
  void aMissingRepositoryIsNotFound() throws Exception {
    ecr = StubHttpServer.start(request -> Response.of(400, JSON, "{\"__type\":\"RepositoryNotFoundException\","
        + "\"message\":\"The repository with name 'mirror/app' does not exist in the registry with id '123456789012'\"}"));

    assertThatThrownBy(() -> images().list(REPO))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isNotFound()).isTrue())
        .hasMessage("list tags of " + REPO.name() + " failed: HTTP 404 NAME_UNKNOWN: ECR repository mirror/app"
            + " in account 123456789012 (eu-west-1) does not exist");
  }
}
