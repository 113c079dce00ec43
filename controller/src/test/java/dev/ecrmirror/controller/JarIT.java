package dev.ecrmirror.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.RegistryContents;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.controller.local.DataDirectory;
import dev.ecrmirror.controller.local.LocalMode;
import dev.ecrmirror.controller.testing.LocalDynamo;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jars as a user runs them: {@code java -jar controller.jar ... --local}, natives and
 * all, and the image's {@code controller-slim.jar}, which has no local mode and says so.
 */
class JarIT {
  private static final String JAVA = ProcessHandle.current().info().command().orElse("java");

  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(2);

  @RegisterExtension
  static LocalDynamo dynamo = new LocalDynamo();

  @TempDir
  Path work;

  record Result(int code, String out) {}

  Result java(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--local");
    all.add("--data-dir=" + work.resolve("data"));
    return run(System.getProperty("controller.jar"), Map.of(), all);
  }

  Result run(String jar, Map<String, String> env, List<String> args) throws Exception {
    Process p = start(jar, env, args);
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        throw new AssertionError("controller.jar did not finish: " + args);
      }
      return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }

  Process start(String jar, Map<String, String> env, List<String> args) throws Exception {
    List<String> command = new ArrayList<>(List.of(JAVA, "-jar", jar));
    command.addAll(args);
    Path cwd = Files.createDirectories(work.resolve("cwd"));
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
    pb.environment().remove("ECR_MIRROR_TABLE");
    pb.environment().putAll(env);
    return pb.start();
  }

  @Test
  void localModeFromTheShadedJar() throws Exception {
    String src = registries.get(0).host();
    String dst = registries.get(1).host();
    TestImages.Pushed image = new TestImages(registries.get(0).baseUri(), 5).ociIndex("web", "2", List.of("linux/amd64", "linux/arm64"), 1, 256);

    Result put = java("table", "put", src + "/web:2", dst + "/web");
    assertThat(put.code()).as(put.out()).isZero();
    Result sync = java("sync");
    assertThat(sync.code()).as(sync.out()).isZero();
    assertThat(sync.out()).contains("1 mirrored").doesNotContain("Exception", "WARNING");
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), "web", "2").orElseThrow().digest()).isEqualTo(image.digest());
    Result again = java("sync");
    assertThat(again.out()).contains("1 row(s): 1 in sync");
    Result list = java("table", "list", "--json");
    assertThat(list.out().strip()).startsWith("{\"Source\":\"" + src + "/web:2\"").contains("\"MirrorStatus\":\"in sync\"");
    try (Stream<Path> left = Files.list(work.resolve("cwd"))) {
      assertThat(left).as("nothing written to the working directory (telemetry off)").isEmpty();
    }
  }

  /** Two processes on one data directory: this test's JVM holds it, controller.jar waits, then runs. */
  @Test
  void aSecondProcessWaitsForTheDataDirectory() throws Exception {
    Path data = work.resolve("data");
    assertThat(java("table", "put", "alpine", "127.0.0.1:5000/alpine").code()).isZero();
    long me = ProcessHandle.current().pid();
    Process second;
    List<String> lines = new ArrayList<>();
    try (DataDirectory first = DataDirectory.lock(data, "controller sync --local", Duration.ZERO, note -> { })) {
      second = start(System.getProperty("controller.jar"), Map.of(),
          List.of("table", "list", "--json", "--local", "--data-dir=" + data));
      BufferedReader out = new BufferedReader(new InputStreamReader(second.getInputStream(), StandardCharsets.UTF_8));
      lines.add(out.readLine());
      assertThat(lines.getFirst()).isEqualTo("note: waiting for pid " + me + " (controller sync --local) to release " + data);
      assertThat(second.isAlive()).isTrue();
      Thread.sleep(500);
      assertThat(second.isAlive()).as("still waiting while the directory is held").isTrue();
      first.close();
      out.lines().forEach(lines::add);
    }
    assertThat(second.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(second.exitValue()).isZero();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(1)).startsWith("{\"Source\":\"docker.io/library/alpine:latest\"");
  }

  @Test
  void theSlimJarHasNoLocalModeAndSaysSoInOneLine() throws Exception {
    String slim = System.getProperty("controller-slim.jar");
    Result asked = run(slim, Map.of(), List.of("table", "list", "--local", "--data-dir=" + work.resolve("data")));
    assertThat(asked.code()).isEqualTo(2);
    assertThat(asked.out()).isEqualTo("controller table list: " + LocalMode.NOT_IN_THIS_BUILD + " (see --help)\n");
    assertThat(asked.out()).isEqualTo("controller table list: local mode is not in this build (the controller image's "
        + "jar leaves DynamoDB Local out): use controller.jar from a release, or pass --table NAME (or set "
        + "ECR_MIRROR_TABLE) (see --help)\n");
    Result implicit = run(slim, Map.of(), List.of("sync", "--dry-run", "--data-dir=" + work.resolve("data")));
    assertThat(implicit.code()).isEqualTo(2);
    assertThat(implicit.out()).isEqualTo("controller sync: " + LocalMode.NOT_IN_THIS_BUILD + " (see --help)\n");
    assertThat(work.resolve("data")).doesNotExist();

    try (ZipFile zip = new ZipFile(slim)) {
      assertThat(zip.stream().map(e -> e.getName())
          .filter(n -> n.startsWith("com/amazonaws/") || n.startsWith("com/almworks/") || n.contains("sqlite4java")
              || n.startsWith("org/eclipse/jetty/"))).isEmpty();
    }
  }

  @Test
  void theSlimJarWorksTheTableInAws() throws Exception {
    String slim = System.getProperty("controller-slim.jar");
    Map<String, String> aws = Map.of("AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test", "AWS_REGION", "us-east-1");
    String table = dynamo.newTable(dynamo.clients(null, null, null).dynamo()).name();
    List<String> where = List.of("--table", table, "--dynamodb-endpoint-url", dynamo.endpoint().toString());
    List<String> put = new ArrayList<>(List.of("table", "put", "alpine:3.20", "127.0.0.1:5000/alpine"));
    put.addAll(where);
    Result written = run(slim, aws, put);
    assertThat(written.code()).as(written.out()).isZero();
    List<String> list = new ArrayList<>(List.of("table", "list", "--json"));
    list.addAll(where);
    Result listed = run(slim, aws, list);
    assertThat(listed.code()).as(listed.out()).isZero();
    assertThat(listed.out()).startsWith("{\"Source\":\"docker.io/library/alpine:3.20\"");
  }
}
