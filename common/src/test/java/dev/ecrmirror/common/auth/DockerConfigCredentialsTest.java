package dev.ecrmirror.common.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigCredentialsTest {

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsAuthsInEveryFormDockerWrites() {
    DockerConfigCredentials config = DockerConfigCredentials.fromJson("test", """
        {"auths": {
          "https://index.docker.io/v1/": {"auth": "%s"},
          "ghcr.io": {"username": "octo", "password": "ghp_secret"},
          "quay.io": {"identitytoken": "refresh-me"},
          "http://registry.lan:5000/v2/": {"auth": "%s"}
        }}""".formatted(b64("hubuser:hub:pass:with:colons"), b64("lan:lanpass")));

    Credential hub = config.credentialFor("docker.io").orElseThrow();
    assertThat(hub.username()).isEqualTo("hubuser");
    assertThat(hub.secret()).isEqualTo("hub:pass:with:colons");
    assertThat(config.credentialFor("ghcr.io").orElseThrow().secret()).isEqualTo("ghp_secret");
    assertThat(config.credentialFor("quay.io").orElseThrow().isIdentityToken()).isTrue();
    assertThat(config.credentialFor("registry.lan:5000").orElseThrow().username()).isEqualTo("lan");
    assertThat(config.credentialFor("other.example.com")).isEmpty();
  }

  @Test
  void credentialsNeverPrintTheirSecret() {
    Credential c = Credential.basic("user", "s3cr3t-value");
    assertThat(c.toString()).doesNotContain("s3cr3t-value").contains("user");
    assertThat(Credential.identityToken("tok-123").toString()).doesNotContain("tok-123");
  }

  @Test
  void invalidJsonErrorNamesTheOriginButNotTheContent() {
    assertThatThrownBy(() -> DockerConfigCredentials.fromJson("$ECR_MIRROR_AUTH_JSON", "{\"auths\": {\"x\": {\"auth\": \"c2VjcmV0\"}"))
        .hasMessageContaining("$ECR_MIRROR_AUTH_JSON").hasMessageContaining("not valid JSON")
        .hasMessageNotContaining("c2VjcmV0");
  }

  @Test
  void badAuthFieldSaysWhichRegistry() {
    DockerConfigCredentials config = DockerConfigCredentials.fromJson("cfg", "{\"auths\":{\"ghcr.io\":{\"auth\":\"%%%\"}}}");
    assertThatThrownBy(() -> config.credentialFor("ghcr.io")).hasMessageContaining("ghcr.io in cfg");
  }

  @Test
  void asksCredentialHelpersThroughTheDockerProtocol(@TempDir Path dir) throws Exception {
    // A stand-in docker-credential-test helper: reads the server URL on stdin, answers JSON.
    Path helper = dir.resolve("docker-credential-test");
    Files.writeString(helper, """
        #!/bin/sh
        [ "$1" = get ] || exit 1
        read server
        case "$server" in
          https://index.docker.io/v1/) echo '{"ServerURL":"'$server'","Username":"hub-helper","Secret":"hub-secret"}' ;;
          private.example.com) echo '{"ServerURL":"'$server'","Username":"<token>","Secret":"id-token"}' ;;
          *) echo "credentials not found in native keychain"; exit 1 ;;
        esac
        """);
    Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
    DockerConfigCredentials config = DockerConfigCredentials.fromJson("cfg", """
        {"credsStore": "test", "credHelpers": {"private.example.com": "test"},
         "auths": {"ghcr.io": {"auth": "%s"}}}""".formatted(b64("a:b"))).withHelperDirectory(dir);

    // credsStore answers for Docker Hub, asked with the server URL docker itself uses.
    assertThat(config.credentialFor("docker.io")).hasValueSatisfying(c -> assertThat(c.username()).isEqualTo("hub-helper"));
    // credHelpers wins for its registry; "<token>" means an identity token.
    assertThat(config.credentialFor("private.example.com")).hasValueSatisfying(c -> assertThat(c.isIdentityToken()).isTrue());
    // An auths entry is used before the store.
    assertThat(config.credentialFor("ghcr.io")).hasValueSatisfying(c -> assertThat(c.username()).isEqualTo("a"));
    // The helper has nothing: anonymous.
    assertThat(config.credentialFor("unknown.example.com")).isEmpty();
  }

  @Test
  void aHelperThatNeverAnswersIsKilledAfterItsTimeout(@TempDir Path dir) throws Exception {
    // Reads nothing, answers nothing, and keeps a child of its own on the same output: the shape of a
    // helper stuck behind a keychain prompt. Both processes note their ids so the test can look for them.
    Path helper = dir.resolve("docker-credential-stuck");
    Files.writeString(helper, """
        #!/bin/sh
        echo $$ > "%1$s/helper.pid"
        sleep 600 &
        echo $! > "%1$s/child.pid"
        wait
        """.formatted(dir));
    Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
    DockerConfigCredentials config = DockerConfigCredentials.fromJson("cfg", """
        {"credHelpers": {"ghcr.io": "stuck"}}""").withHelperDirectory(dir).withHelperTimeout(Duration.ofSeconds(1));

    long started = System.nanoTime();
    assertThatThrownBy(() -> config.credentialFor("ghcr.io"))
        .hasMessage("credential helper docker-credential-stuck (asked for ghcr.io) did not answer within 1 s; killed");
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(took).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(5));
    for (String pidFile : List.of("helper.pid", "child.pid")) {
      long pid = Long.parseLong(Files.readString(dir.resolve(pidFile)).strip());
      // A killed process counts as alive until its parent reaps it; the child's new parent is init, which
      // reaps on its own schedule: wait for that, boundedly (sleep 600 would outlive any bound here).
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as(pidFile).isEmpty();
    }
  }
}
