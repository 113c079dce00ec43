package dev.ecrmirror.common.ref;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ImageReferenceTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "alpine, docker.io/library/alpine:latest",
      "alpine:3.20, docker.io/library/alpine:3.20",
      "library/alpine, docker.io/library/alpine:latest",
      "bitnami/redis:7, docker.io/bitnami/redis:7",
      "docker.io/alpine, docker.io/library/alpine:latest",
      "index.docker.io/library/alpine:edge, docker.io/library/alpine:edge",
      "registry-1.docker.io/org/app:1, docker.io/org/app:1",
      "ghcr.io/org/team/app:v1.2.3, ghcr.io/org/team/app:v1.2.3",
      "localhost/app, localhost/app:latest",
      "localhost:5000/app:dev, localhost:5000/app:dev",
      "127.0.0.1:5000/a/b/c:x_y-z.1, 127.0.0.1:5000/a/b/c:x_y-z.1",
      "Registry.Example.COM:443/app, registry.example.com:443/app:latest",
      "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/postgres:16, 123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/postgres:16",
      "quay.io/a__b/c-d.e:1, quay.io/a__b/c-d.e:1",
      "[::1]:5000/app:1, [::1]:5000/app:1",
  })
  void normalizes(String input, String expected) {
    assertThat(ImageReference.parse(input).toString()).isEqualTo(expected);
  }

  @Test
  void digestReferencesKeepTagForDisplayAndUseTheDigestForApiCalls() {
    String digest = "sha256:" + "a".repeat(64);
    ImageReference byDigest = ImageReference.parse("alpine@" + digest);
    assertThat(byDigest.toString()).isEqualTo("docker.io/library/alpine@" + digest);
    assertThat(byDigest.tag()).isEmpty();
    assertThat(byDigest.manifestReference()).isEqualTo(digest);

    ImageReference both = ImageReference.parse("localhost:5000/app:1.0@" + digest);
    assertThat(both.toString()).isEqualTo("localhost:5000/app:1.0@" + digest);
    assertThat(both.manifestReference()).isEqualTo(digest);
    assertThat(both.tag()).contains("1.0");
  }

  @Test
  void exposesPartsForTheRegistryApi() {
    ImageReference ref = ImageReference.parse("postgres:16");
    assertThat(ref.registry()).isEqualTo("docker.io");
    assertThat(ref.apiHost()).isEqualTo("registry-1.docker.io");
    assertThat(ref.repository()).isEqualTo("library/postgres");
    assertThat(ref.manifestReference()).isEqualTo("16");
    ImageReference local = ImageReference.parse("127.0.0.1:5000/app");
    assertThat(local.hostName()).isEqualTo("127.0.0.1");
    assertThat(local.isBare()).isTrue();
    assertThat(local.manifestReference()).isEqualTo("latest");
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', value = {
      "''| empty reference",
      "Alpine| must be lowercase",
      "docker.io/Library/alpine| must be lowercase",
      "alpine:| bad tag ''",
      "alpine:-dash| bad tag '-dash'",
      "alpine:has space| bad tag",
      "alpine@sha256:abc| bad digest 'sha256:abc'",
      "alpine@md5:0123| bad digest",
      "example.com//app| empty path component",
      "example.com/app/| empty path component",
      "example.com:99999/app| bad port '99999'",
      "example.com:port/app| bad port 'port'",
      "https://example.com/app| has no scheme",
      "-bad.example.com/app| bad registry host",
      "example.com/app..x| may hold only lowercase letters",
      "' alpine'| surrounding whitespace",
  })
  void rejectsMalformedInputNamingIt(String input, String problem) {
    assertThatThrownBy(() -> ImageReference.parse(input))
        .isInstanceOf(InvalidReferenceException.class)
        .hasMessageStartingWith("invalid image reference '" + input + "'")
        .hasMessageContaining(problem);
  }

  @Test
  void rejectsOverlongTagsAndNames() {
    assertThatThrownBy(() -> ImageReference.parse("alpine:" + "t".repeat(129))).hasMessageContaining("bad tag");
    assertThatThrownBy(() -> ImageReference.parse("example.com/" + "a".repeat(250))).hasMessageContaining("longer than 255");
  }

  @ParameterizedTest
  @ValueSource(strings = {"alpine", "ghcr.io/org/app:1", "localhost:5000/a/b@sha256:0000000000000000000000000000000000000000000000000000000000000000"})
  void printedFormParsesBackToItself(String input) {
    ImageReference once = ImageReference.parse(input);
    assertThat(ImageReference.parse(once.toString())).isEqualTo(once);
  }
}
