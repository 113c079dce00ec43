package dev.ecrmirror.common.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChallengeTest {

  @Test
  void parsesDockerHubBearerChallenge() {
    Challenge c = Challenge.parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
        + "scope=\"repository:library/alpine:pull\"").orElseThrow();
    assertThat(c.isBearer()).isTrue();
    assertThat(c.realm()).contains("https://auth.docker.io/token");
    assertThat(c.service()).contains("registry.docker.io");
    assertThat(c.parameters()).containsEntry("scope", "repository:library/alpine:pull");
  }

  @Test
  void parsesBasicChallengeCaseInsensitively() {
    Challenge c = Challenge.parse("basic REALM=\"ECR\"").orElseThrow();
    assertThat(c.isBearer()).isFalse();
    assertThat(c.scheme()).isEqualTo("Basic");
    assertThat(c.realm()).contains("ECR");
  }

  @Test
  void handlesUnquotedValuesSpacesAndEscapedQuotes() {
    Challenge c = Challenge.parse("Bearer realm=https://r.example/token, service=\"svc \\\"x\\\"\", error=\"insufficient_scope\"")
        .orElseThrow();
    assertThat(c.realm()).contains("https://r.example/token");
    assertThat(c.service()).contains("svc \"x\"");
    assertThat(c.parameters()).containsEntry("error", "insufficient_scope");
  }

  @Test
  void scopesWithCommasInsideQuotesStayWhole() {
    Challenge c = Challenge.parse("Bearer realm=\"https://t\",scope=\"repository:a/b:pull,push\"").orElseThrow();
    assertThat(c.parameters()).containsEntry("scope", "repository:a/b:pull,push");
  }

  @Test
  void ignoresEmptyAndUnknownSchemes() {
    assertThat(Challenge.parse(null)).isEmpty();
    assertThat(Challenge.parse("")).isEmpty();
    assertThat(Challenge.parse("Negotiate abc")).isEmpty();
  }
}
