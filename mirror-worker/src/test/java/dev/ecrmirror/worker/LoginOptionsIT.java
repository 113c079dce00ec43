package dev.ecrmirror.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.cli.RegistryCliOptions;
import dev.ecrmirror.common.testing.Htpasswd;
import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.LocalRegistry;
import dev.ecrmirror.common.testing.RegistryContents;
import dev.ecrmirror.common.testing.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logins given the way ecr-mirror-sync users give them ({@code --src-creds}, {@code --dest-creds},
 * their variables), against a real docker-registry that demands an htpasswd login. The packaged
 * worker runs as its own process, so the environment it reads is the one the test sets.
 */
class LoginOptionsIT {
  private static final String PASSWORD = "Pr0tected-Pa55";
  private static final String WRONG = "N0t-The-Pa55";

  @RegisterExtension
  static LocalRegistries open = new LocalRegistries(2);

  @TempDir
  static Path dir;

  private static LocalRegistry locked;

  @BeforeAll
  static void startLockedRegistry() throws Exception {
    locked = LocalRegistry.options().htpasswd(Htpasswd.write(dir.resolve("auth"), "mirror", PASSWORD)).start();
  }

  @AfterAll
  static void stopLockedRegistry() {
    if (locked != null) {
      locked.close();
    }
  }

  private record Result(int exit, String output) {}

  private static Result worker(Map<String, String> env, String... args) throws IOException, InterruptedException {
    Path jar = Path.of(System.getProperty("worker.jar", "target/mirror-worker.jar"));
    assertThat(jar).as("the packaged worker jar").exists();
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar",
        jar.toString(), "--retry-times", "0"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("ECR_MIRROR_") || k.equals("DOCKER_CONFIG"));
    builder.environment().put("HOME", dir.toString()); // no ~/.docker/config.json of the machine's
    builder.environment().putAll(env);
    Process process = builder.start();
    try {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the worker finished").isTrue();
      return new Result(process.exitValue(), output);
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void copiesIntoAndOutOfARegistryThatDemandsALoginAndNeverPrintsThePassword() throws Exception {
    TestImages.Pushed image = new TestImages(open.get(0).baseUri(), 81)
        .ociIndex("login/app", "1", List.of("linux/amd64"), 1, 3_000);
    String source = open.get(0).host() + "/login/app:1";
    String middle = locked.host() + "/login/app:1";
    String last = open.get(1).host() + "/login/app:1";

    Result refused = worker(Map.of(), source, middle);
    Result in = worker(Map.of(), "--dest-creds", "mirror:" + PASSWORD, source, middle);
    // The variable beats an auth file holding a stale password for the same registry.
    Path stale = Files.writeString(dir.resolve("config.json"), "{\"auths\":{\"" + locked.host() + "\":{\"auth\":\""
        + Base64.getEncoder().encodeToString(("mirror:" + WRONG).getBytes(StandardCharsets.UTF_8)) + "\"}}}");
    Result out = worker(Map.of(RegistryCliOptions.SRC_CREDS_ENV, "mirror:" + PASSWORD), "--auth-file", stale.toString(),
        middle, last);

    assertThat(refused.exit()).as("a missing login is permanent: " + refused.output()).isEqualTo(6);
    assertThat(refused.output()).contains("requires a login");
    assertThat(in.exit()).as(in.output()).isZero();
    assertThat(out.exit()).as(out.output()).isZero();
    assertThat(RegistryContents.manifest(open.get(1).baseUri(), "login/app", "1")).get()
        .extracting(RegistryContents.Served::digest).isEqualTo(image.digest());
    assertThat(in.output() + out.output()).doesNotContain(PASSWORD);
  }

  @Test
  void aRejectedLoginFailsTheDestinationWithoutShowingThePassword() throws Exception {
    new TestImages(open.get(0).baseUri(), 82).ociIndex("login/wrong", "1", List.of("linux/amd64"), 1, 2_000);

    Result wrong = worker(Map.of(RegistryCliOptions.DEST_CREDS_ENV, "mirror:" + WRONG),
        open.get(0).host() + "/login/wrong:1", locked.host() + "/login/wrong:1");
    Result typo = worker(Map.of(), "--dest-cred=mirror:" + WRONG, open.get(0).host() + "/login/wrong:1",
        locked.host() + "/login/wrong:1");
    Result help = worker(Map.of(RegistryCliOptions.DEST_CREDS_ENV, "mirror:" + WRONG), "--help");

    assertThat(wrong.exit()).as("a rejected login is permanent").isEqualTo(6);
    assertThat(wrong.output()).contains("rejected the login").doesNotContain(WRONG);
    assertThat(typo.exit()).isEqualTo(2);
    assertThat(typo.output()).contains("--dest-cred").doesNotContain(WRONG);
    assertThat(help.exit()).isZero();
    assertThat(help.output()).contains("--dest-creds").doesNotContain(WRONG);
  }
}
