package dev.ecrmirror.images;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.cli.ExitCodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage errors: each exits 2 with one line naming the input and the problem, and no stack trace. */
class ImagesCliTest {
  @TempDir
  Path dir;

  private Fixtures.Run run(String... args) {
    return Fixtures.run(dir, args);
  }

  private Path worker() {
    return Fixtures.runnableJar(dir, "mirror-worker.jar", "worker");
  }

  private Path controller() {
    return Fixtures.runnableJar(dir, "controller.jar", "controller");
  }

  private static void assertUsageError(Fixtures.Run run, String... fragments) {
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    String err = run.err().strip();
    assertThat(err).as("one line").doesNotContain("\n").startsWith("images: ").contains(fragments);
    assertThat(err).doesNotContain("Exception", "\tat ");
  }

  @Test
  void missingDefaultJarNamesThePathAndTheBuildCommand() {
    Fixtures.Run run = run("--to", "127.0.0.1:5000/ecr-mirror");
    assertUsageError(run, dir.resolve("controller/target/controller.jar").toString(),
        "does not exist", "mvn -B -DskipTests package", "--controller-jar");
  }

  @Test
  void missingGivenJarNamesThatPath() {
    Fixtures.Run run = run("--to", "127.0.0.1:5000/ecr-mirror", "--controller-jar", controller().toString(),
        "--worker-jar", "nowhere/worker.jar");
    assertUsageError(run, dir.resolve("nowhere/worker.jar").toString(), "mirror-worker jar");
  }

  @Test
  void thinJarIsRejectedBeforeAnyBuild() {
    Fixtures.Run run = run("--to", "127.0.0.1:5000/ecr-mirror", "--controller-jar", controller().toString(),
        "--worker-jar", Fixtures.thinJar(dir, "mirror-worker-0.1.0.jar").toString());
    assertUsageError(run, "mirror-worker-0.1.0.jar", "not runnable", "Main-Class");
  }

  @Test
  void malformedPrefixIsRejectedNamingIt() {
    assertUsageError(run("--to", "Registry.Example.com/Team", "--controller-jar", controller().toString(),
        "--worker-jar", worker().toString()), "--to 'Registry.Example.com/Team'", "must be lowercase");
    assertUsageError(run("--to", "https://registry.example.com/team", "--controller-jar", controller().toString(),
        "--worker-jar", worker().toString()), "--to 'https://registry.example.com/team'", "no scheme");
    assertUsageError(run("--to", "registry.example.com/team@sha256:" + "a".repeat(64), "--controller-jar",
        controller().toString(), "--worker-jar", worker().toString()), "is not a registry/repository prefix");
  }

  @Test
  void badTagIsRejected() {
    assertUsageError(run("--to", "registry.example.com/team", "--tag", "-bad", "--controller-jar", controller().toString(),
        "--worker-jar", worker().toString()), "bad tag '-bad'");
  }

  @Test
  void malformedBaseIsRejected() {
    assertUsageError(run("--to", "registry.example.com/team", "--base", "Eclipse-Temurin:21", "--controller-jar",
        controller().toString(), "--worker-jar", worker().toString()), "--base", "must be lowercase");
  }

  @Test
  void toAndTarTogetherAreRejected() {
    assertUsageError(run("--to", "registry.example.com/team", "--tar", dir.toString()), "--to", "--tar");
  }

  @Test
  void neitherToNorTarIsRejected() {
    assertUsageError(run(), "--to=PREFIX | --tar=DIR", "see --help");
  }

  @Test
  void tarWithTwoPlatformsIsRejected() {
    assertUsageError(run("--tar", dir.toString(), "--platform", "linux/amd64", "--platform", "linux/arm64"),
        "--tar writes single-platform archives", "linux/amd64, linux/arm64");
  }

  @Test
  void platformVariantAndMalformedPlatformAreRejected() {
    assertUsageError(run("--to", "registry.example.com/team", "--platform", "linux/arm/v7", "--controller-jar",
        controller().toString(), "--worker-jar", worker().toString()), "linux/arm/v7", "use linux/arm");
    assertUsageError(run("--to", "registry.example.com/team", "--platform", "amd64", "--controller-jar",
        controller().toString(), "--worker-jar", worker().toString()), "invalid platform 'amd64'");
  }

  @Test
  void emptyPlatformElementIsAUsageErrorOnOneExactLine() {
    Fixtures.Run run = run("--to", "127.0.0.1:9/ecr-mirror", "--platform", "linux/amd64,,linux/arm64",
        "--controller-jar", controller().toString(), "--worker-jar", worker().toString());
    assertThat(run.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).isEqualTo("images: --platform 'linux/amd64,,linux/arm64' has an empty element: remove the "
        + "doubled, leading or trailing comma (see --help)" + System.lineSeparator());
  }

  @Test
  void helpEndsWithTheExitCodesTheCodeDefinesAndTheDocsRepeat() throws java.io.IOException {
    String help = run("--help").out();
    String nl = System.lineSeparator();
    Map<Integer, String> defined = new ImagesCli(Map.of(), dir).exitCodes().byCode();
    assertThat(defined.keySet()).containsExactly(ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE);
    StringBuilder section = new StringBuilder(nl + "Exit codes:" + nl);
    defined.forEach((code, meaning) -> section.append("  ").append(code).append("   ").append(meaning).append(nl));
    assertThat(help).endsWith(section.toString());
    String docs = Files.readString(Path.of("..", "docs", "images.md"));
    defined.forEach((code, meaning) -> assertThat(docs).contains("| " + code + " | " + meaning + " |"));
  }

  @Test
  void unknownOptionIsAUsageError() {
    assertUsageError(run("--to", "registry.example.com/team", "--push-harder"), "--push-harder");
  }

  @Test
  void helpShowsExamplesAndExitCodes() {
    Fixtures.Run run = run("--help");
    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("--to=PREFIX", "--tar=DIR", "--insecure-registry", "--auth-file", "Examples:",
        "Exit codes:", "  2   bad usage", "Default: eclipse-temurin:21-jre", "0.1.0");
  }

  @Test
  void unreachableBaseIsABuildFailureNotAUsageError() {
    Fixtures.Run run = run("--to", "127.0.0.1:9/ecr-mirror", "--base", "127.0.0.1:9/base:21", "--retry-times", "0",
        "--controller-jar", controller().toString(), "--worker-jar", worker().toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err().strip()).doesNotContain("\n").startsWith("images: cannot read base image 127.0.0.1:9/base:21");
  }
}
