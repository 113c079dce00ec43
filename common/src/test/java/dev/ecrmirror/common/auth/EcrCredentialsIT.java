package dev.ecrmirror.common.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.testing.MotoServer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * ECR logins through moto's GetAuthorizationToken: the SDK's answer from a real ECR API server is
 * turned into the user and password a registry accepts. Caching and refresh, which moto's fixed
 * token cannot show, are in {@code EcrCredentialsTest}.
 */
class EcrCredentialsIT {
  private static MotoServer moto;

  @BeforeAll
  static void start() throws Exception {
    moto = MotoServer.start();
  }

  @AfterAll
  static void stop() {
    if (moto != null) {
      moto.close();
    }
  }

  @Test
  void logsInWithTheTokenEcrIssues() {
    try (EcrClient ecr = moto.ecr(Region.EU_WEST_1)) {
      EcrCredentials credentials = new EcrCredentials(region -> ecr,
          Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC));

      Credential login = credentials.credentialFor("123456789012.dkr.ecr.eu-west-1.amazonaws.com").orElseThrow();

      // moto issues base64("AWS:" + account + "-auth-token") for its default account, as ECR issues "AWS:<password>".
      assertThat(login.username()).isEqualTo("AWS");
      assertThat(login.secret()).isEqualTo("123456789012-auth-token");
      assertThat(credentials.credentialFor("ghcr.io")).isEmpty();
    }
  }
}
