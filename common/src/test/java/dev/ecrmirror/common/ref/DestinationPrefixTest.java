package dev.ecrmirror.common.ref;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DestinationPrefixTest {
  private static final String ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

  @Test
  void aPrefixTakesTheSourceRegistryAndPathByDefault() {
    assertThat(DestinationPrefix.resolve(ECR + "/mirror/", ImageReference.parse("nginx:1.27"), true))
        .isEqualTo(ECR + "/mirror/docker.io/library/nginx");
    assertThat(DestinationPrefix.resolve(ECR + "/", ImageReference.parse("ghcr.io/org/app@sha256:" + "a".repeat(64)), true))
        .isEqualTo(ECR + "/ghcr.io/org/app");
    assertThat(DestinationPrefix.resolve("localhost:5000/m/", ImageReference.parse("127.0.0.1:5001/team/app:1"), true))
        .isEqualTo("localhost:5000/m/127.0.0.1-5001/team/app");
  }

  @Test
  void withoutTheRegistryOnlyTheSourcePathFollowsThePrefix() {
    assertThat(DestinationPrefix.resolve(ECR + "/mirror/", ImageReference.parse("docker.io/library/nginx"), false))
        .isEqualTo(ECR + "/mirror/library/nginx");
    assertThat(DestinationPrefix.resolve(ECR + "/mirror/", ImageReference.parse("quay.io/org/tool:v1"), false))
        .isEqualTo(ECR + "/mirror/org/tool");
  }

  @Test
  void aDestinationNotEndingInSlashIsLeftAsWritten() {
    assertThat(DestinationPrefix.resolve(ECR + "/mirror/nginx:1", ImageReference.parse("nginx"), true))
        .isEqualTo(ECR + "/mirror/nginx:1");
  }

  @Test
  void registriesBecomeOnePathComponent() {
    assertThat(DestinationPrefix.component("[::1]:5000")).isEqualTo("1-5000");
    assertThat(DestinationPrefix.component("registry.example.com")).isEqualTo("registry.example.com");
  }

  @Test
  void aBadPrefixIsNamedAsWritten() {
    assertThatThrownBy(() -> DestinationPrefix.resolve(ECR + "/Mirror/", ImageReference.parse("nginx"), true))
        .isInstanceOf(InvalidReferenceException.class)
        .hasMessageStartingWith("invalid image reference '" + ECR + "/Mirror/': prefix gives")
        .hasMessageContaining("must be lowercase");
    assertThatThrownBy(() -> DestinationPrefix.resolve(ECR + "//", ImageReference.parse("nginx"), true))
        .hasMessageContaining("empty path component");
  }
}
