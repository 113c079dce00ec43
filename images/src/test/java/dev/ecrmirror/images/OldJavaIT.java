package dev.ecrmirror.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each runnable jar as a user with an old {@code java} first on PATH meets it: one line saying
 * which Java ran it and what to do, exit 2, no stack trace; and the same jars still start on the
 * Java running this test (21 or later). The old Java is the machine's Java 17.
 */
class OldJavaIT {
  private static final Path JAVA_17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
  private static final String CURRENT_JAVA = ProcessHandle.current().info().command().orElse("java");

  record Result(int code, String out) {}

  static Result run(Map<String, String> env, String... command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("did not finish: " + List.of(command));
      }
      return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }

  static String jar(String name) {
    String jar = System.getProperty(name);
    assertThat(jar).as("system property " + name).isNotNull();
    assertThat(Path.of(jar)).as("build the jars first (mvn package)").isRegularFile();
    return jar;
  }

  @ParameterizedTest
  @ValueSource(strings = {"worker.jar", "controller.jar", "controller-slim.jar", "images.jar"})
  void anOldJavaFirstOnPathGetsOneLineAndExitTwo(String property) throws Exception {
    assumeTrue(Files.isExecutable(JAVA_17.resolve("bin/java")), "no Java 17 at " + JAVA_17 + " to run the jars with");
    String jar = jar(property);
    String path = JAVA_17.resolve("bin") + File.pathSeparator + "/usr/bin" + File.pathSeparator + "/bin";

    // ProcessBuilder looks a bare "java" up on this JVM's PATH, not the child's: name it in full.
    Result first = run(Map.of("PATH", path), JAVA_17.resolve("bin/java").toString(), "-jar", jar, "--version");
    assertThat(first.out()).isEqualTo("ecr-mirror needs Java 21 or later; this is Java 17, the first java on PATH; "
        + "put a newer one first on PATH\n");
    assertThat(first.code()).isEqualTo(2);

    // Started by its full path, with another java first on PATH: name the one that ran.
    Result named = run(Map.of("PATH", Path.of(CURRENT_JAVA).getParent() + File.pathSeparator + "/usr/bin"),
        JAVA_17.resolve("bin/java").toString(), "-jar", jar, "table", "list");
    assertThat(named.out()).isEqualTo("ecr-mirror needs Java 21 or later; this is Java 17 at " + JAVA_17
        + "; run the jar with a newer java\n");
    assertThat(named.code()).isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(strings = {"worker.jar", "controller.jar", "controller-slim.jar", "images.jar"})
  void theJarsStillStartOnThisJava(String property) throws Exception {
    Result version = run(Map.of(), CURRENT_JAVA, "-jar", jar(property), "--version");
    assertThat(version.code()).as(version.out()).isZero();
    assertThat(version.out()).doesNotContain("needs Java", "Exception");
  }
}
