package dev.ecrmirror.common.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecrmirror.common.auth.EcrCredentials;
import dev.ecrmirror.common.ref.ImageReference;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * A worker pushing to ECR without AWS credentials: the ECR adapters say so in one line, not in the
 * SDK's 1,500 characters. The SDK's own credential chain fails for real (a profile file with no
 * profiles; the process environment is not touched), before any connection to the closed port.
 */
class AwsErrorsTest {
  private static final String ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

  @TempDir
  Path dir;

  private EcrClient clientWithoutCredentials(Region region) throws Exception {
    Path empty = Files.writeString(dir.resolve("credentials"), "");
    ProfileFile profiles = ProfileFile.builder().content(empty).type(ProfileFile.Type.CREDENTIALS).build();
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    return EcrClient.builder().region(region).httpClientBuilder(UrlConnectionHttpClient.builder())
        .endpointOverride(URI.create("http://127.0.0.1:" + closed))
        .credentialsProvider(AwsCredentialsProviderChain.of(ProfileCredentialsProvider.builder().profileFile(profiles).build()))
        .build();
  }

  @Test
  void ecrLoginWithoutCredentialsIsOneLine() throws Exception {
    EcrClient client = clientWithoutCredentials(Region.US_EAST_1);
    EcrCredentials credentials = new EcrCredentials(r -> client, Clock.systemUTC());
    assertThatThrownBy(() -> credentials.credentialFor(ECR))
        .hasMessage("no AWS credentials to log in to ECR in us-east-1: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
            + "AWS_SECRET_ACCESS_KEY, or run 'aws configure'")
        .satisfies(e -> assertThat(AwsErrors.missingCredentials(e)).isTrue());
  }

  @Test
  void repositoryCreationWithoutCredentialsIsOneLine() throws Exception {
    EcrClient client = clientWithoutCredentials(Region.US_EAST_1);
    EcrRepositories repositories = new EcrRepositories(r -> client);
    assertThatThrownBy(() -> repositories.ensureExists(ImageReference.parse(ECR + "/mirror/app:1")))
        .hasMessage("cannot create ECR repository mirror/app in account 123456789012 (us-east-1): no AWS credentials to "
            + "call the ECR API: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run 'aws configure'");
  }

  @Test
  void otherFailuresKeepTheirMessage() {
    assertThat(AwsErrors.missingCredentials(new IllegalStateException("Unable to load credentials from any of the providers")))
        .as("only the SDK's own exception counts").isFalse();
    assertThat(AwsErrors.message(new IllegalStateException("throttled"), "call the ECR API")).isEqualTo("throttled");
  }
}
