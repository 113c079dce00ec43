package dev.ecrmirror.common.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryException;
import dev.ecrmirror.common.registry.RegistryOptions;
import dev.ecrmirror.common.testing.Htpasswd;
import dev.ecrmirror.common.testing.LocalRegistry;
import dev.ecrmirror.common.testing.SimulatedTime;
import dev.ecrmirror.common.testing.StubHttpServer;
import dev.ecrmirror.common.testing.StubHttpServer.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * A long run outliving its ECR token: the registry client keeps reading a registry that accepts only
 * the token ECR issued last. The registry is a real docker-registry whose htpasswd file the test
 * rewrites, as ECR stops taking an expired token (docker-registry reads the file again when it
 * changes). GetAuthorizationToken is a stub of the ECR API recording each call, because moto's
 * answers every call with the same password and an {@code expiresAt} in 2015 (see
 * {@code EcrCredentialsTest}); the clock the tokens are issued and refreshed by is simulated.
 */
class EcrTokenRefreshIT {
  /** The ECR host the logins are for; the bytes go to the loopback registry standing in for it. */
  private static final String ECR_HOST = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

  @TempDir
  Path dir;

  private final SimulatedTime clock = new SimulatedTime(Instant.parse("2026-06-01T00:00:00Z"));
  private final List<Instant> issuedAt = new ArrayList<>();
  private StubHttpServer ecr;
  private LocalRegistry registry;
  private RegistryClient client;
  private ImageReference missing;

  @BeforeEach
  void start() throws Exception {
    ecr = StubHttpServer.start(request -> {
      String password;
      synchronized (issuedAt) {
        issuedAt.add(clock.instant());
        password = "ecr-password-" + issuedAt.size();
      }
      String token = Base64.getEncoder().encodeToString(("AWS:" + password).getBytes(StandardCharsets.UTF_8));
      return Response.of(200, "application/x-amz-json-1.1", """
          {"authorizationData":[{"authorizationToken":"%s","expiresAt":%d,"proxyEndpoint":"https://%s"}]}"""
          .formatted(token, clock.instant().plus(Duration.ofHours(12)).getEpochSecond(), ECR_HOST));
    });
    EcrCredentials tokens = new EcrCredentials(region -> EcrClient.builder()
        .region(region)
        .endpointOverride(ecr.uri())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "example-secret")))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .build(), clock);
    acceptOnly("ecr-password-1");
    registry = LocalRegistry.options().htpasswd(dir.resolve("htpasswd")).start();
    // The loopback registry gets the logins of the ECR host it stands in for.
    CredentialProvider asEcr = new CredentialProvider() {
      @Override
      public Optional<Credential> credentialFor(String host) {
        return tokens.credentialFor(ECR_HOST);
      }

      @Override
      public void rejected(String host) {
        tokens.rejected(ECR_HOST);
      }
    };
    client = new RegistryClient(RegistryOptions.defaults().withCredentials(asEcr).withRetryTimes(0));
    missing = ImageReference.parse(registry.host() + "/team/app:1.0");
  }

  @AfterEach
  void stop() {
    if (registry != null) {
      registry.close();
    }
    ecr.close();
  }

  /** Makes the registry accept {@code password} for user AWS and nothing else, as ECR does for its newest token. */
  private void acceptOnly(String password) throws Exception {
    Path written = Htpasswd.write(dir.resolve("next"), "AWS", password);
    Files.move(written, dir.resolve("htpasswd"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  void aTokenThatExpiresMidRunIsReplacedBeforeTheNextRequest() throws Exception {
    // Answered (no such manifest, 404) means the registry took the login.
    assertThat(client.headManifest(missing)).isEmpty();
    assertThat(client.headManifest(missing)).isEmpty();
    assertThat(issuedAt).hasSize(1);

    clock.advance(Duration.ofHours(12).plusMinutes(1));
    acceptOnly("ecr-password-2");

    assertThat(client.headManifest(missing)).isEmpty();
    assertThat(issuedAt).containsExactly(Instant.parse("2026-06-01T00:00:00Z"), Instant.parse("2026-06-01T12:01:00Z"));
  }

  @Test
  void aTokenRefusedBeforeItsExpiryIsFetchedAgainOnce() throws Exception {
    assertThat(client.headManifest(missing)).isEmpty();

    // Our clock says the token has hours left, the registry no longer takes it (revoked, or clocks apart).
    clock.advance(Duration.ofHours(2));
    acceptOnly("ecr-password-2");

    assertThat(client.headManifest(missing)).isEmpty();
    assertThat(issuedAt).hasSize(2);

    // A login the registry refuses even when fresh fails with one line, after one more fetch, not a loop.
    acceptOnly("never-issued");
    assertThatThrownBy(() -> client.headManifest(missing))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("the registry rejected the login");
    assertThat(issuedAt).hasSize(3);
  }
}
