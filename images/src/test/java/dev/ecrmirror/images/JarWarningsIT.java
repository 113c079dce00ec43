package dev.ecrmirror.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ecrmirror.common.testing.LocalRegistries;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar on the JDK running the build (25 here): neither its help nor a whole build prints
 * the JDK's {@code sun.misc.Unsafe} warnings (guava's futures, which jib runs on, used to). Runs
 * the jar as a process because the JDK prints those warnings once per process.
 */
class JarWarningsIT {
  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(1);

  @TempDir
  Path work;

  record Result(int exit, String out, String err) {}

  Result images(String... args) throws Exception {
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(javaBin, "-jar", System.getProperty("images.jar")));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(work.toFile()).start();
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        throw new AssertionError("images.jar did not finish: " + command);
      }
      return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
          new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void helpPrintsNothingOnStderr() throws Exception {
    Result help = images("--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("Exit codes:");
    assertThat(help.err()).isEmpty();
  }

  @Test
  void aBuildPrintsNoUnsafeWarnings() throws Exception {
    assumeTrue(Runtime.version().feature() >= 24, "the JDK warns about sun.misc.Unsafe from 24 on");
    String host = registries.get(0).host();
    new FakeBase(registries.get(0).baseUri()).index("base/java", "21", List.of("linux/amd64", "linux/arm64"));
    Path jars = Files.createDirectories(work.resolve("jars"));
    Result build = images("--base", host + "/base/java:21", "--tar", work.resolve("out").toString(), "--platform", "linux/amd64",
        "--worker-jar", Fixtures.runnableJar(jars, "mirror-worker.jar", "worker").toString(),
        "--controller-jar", Fixtures.runnableJar(jars, "controller.jar", "controller").toString(), "--revision", "test");
    assertThat(build.exit()).as(build.err()).isZero();
    assertThat(Files.list(work.resolve("out"))).hasSize(2);
    assertThat(build.err()).doesNotContain("WARNING", "sun.misc.Unsafe").isEmpty();
  }
}
