package dev.ecrmirror.images;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecrmirror.common.manifest.MediaTypes;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.RegistryContents;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds both job images against a real {@code docker-registry} on loopback, on a two-platform
 * base pushed there by the test, and checks what a user relies on: the entrypoint, user, labels
 * and platforms, the jar bytes inside, identical digests on a rebuild, and loadable tars.
 */
class ImagesIT {
  private static final Pattern LINE = Pattern.compile("(\\S+)@(sha256:[0-9a-f]{64})  (\\S+)");
  private static final Pattern TAR_LINE = Pattern.compile("(\\S+)  image id (sha256:[0-9a-f]{64})  (\\S+)  -> (.+)");
  private static final String REVISION = "0123456789abcdef0123456789abcdef01234567";

  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(1);

  @TempDir
  static Path work;

  static URI registry;
  static String host;
  static Path workerJar;
  static Path controllerJar;
  static Fixtures.Run firstBuild;

  @BeforeAll
  static void pushBaseAndBuildOnce() {
    registry = registries.get(0).baseUri();
    host = registries.get(0).host();
    FakeBase base = new FakeBase(registry);
    base.index("base/java", "21", List.of("linux/amd64", "linux/arm64"));
    base.single("base/java-amd64-only", "21", "linux", "amd64");
    workerJar = Fixtures.jarOrStandIn("worker.jar", work.resolve("jars"), "mirror-worker.jar");
    controllerJar = Fixtures.jarOrStandIn("controller-slim.jar", work.resolve("jars"), "controller-slim.jar");
    firstBuild = Fixtures.run(work, build(host + "/ecr-mirror", "--cache-dir", work.resolve("cache1").toString()));
  }

  private static String[] build(String prefix, String... more) {
    List<String> args = new ArrayList<>(List.of("--base", host + "/base/java:21", "--to", prefix,
        "--worker-jar", workerJar.toString(), "--controller-jar", controllerJar.toString(),
        "--revision", REVISION, "--source-url", "https://example.test/ecr-mirror"));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  /** Image name → [digest, platforms], from the one line printed per pushed image. */
  private static Map<String, List<String>> printed(String out) {
    return parseLines(out, LINE);
  }

  /** Image name → [image id, platform, tar file], from the one line printed per archive. */
  private static Map<String, List<String>> printedTars(String out) {
    return parseLines(out, TAR_LINE);
  }

  private static Map<String, List<String>> parseLines(String out, Pattern pattern) {
    Map<String, List<String>> images = new LinkedHashMap<>();
    for (String line : out.strip().split("\\R")) {
      Matcher m = pattern.matcher(line);
      assertThat(m.matches()).as("output line '%s'", line).isTrue();
      List<String> fields = new ArrayList<>();
      for (int g = 2; g <= m.groupCount(); g++) {
        fields.add(m.group(g));
      }
      images.put(m.group(1), fields);
    }
    return images;
  }

  @Test
  void pushesBothImagesForBothPlatformsWithEntrypointUserEnvAndLabels() {
    assertThat(firstBuild.exit()).as(firstBuild.err()).isZero();
    Map<String, List<String>> images = printed(firstBuild.out());
    assertThat(images).containsOnlyKeys(host + "/ecr-mirror/controller:0.1.0", host + "/ecr-mirror/mirror-worker:0.1.0");

    for (AppImage app : AppImage.ALL) {
      String repo = "ecr-mirror/" + app.name();
      RegistryContents.Served index = RegistryContents.manifest(registry, repo, "0.1.0").orElseThrow();
      assertThat(index.mediaType()).isEqualTo(MediaTypes.DOCKER_LIST);
      assertThat(index.digest().toString()).isEqualTo(images.get(host + "/" + repo + ":0.1.0").get(0));
      assertThat(images.get(host + "/" + repo + ":0.1.0").get(1)).isEqualTo("linux/amd64,linux/arm64");

      JsonNode entries = Fixtures.parse(index.bytes()).path("manifests");
      List<String> platforms = new ArrayList<>();
      for (JsonNode entry : entries) {
        platforms.add(entry.path("platform").path("os").asText() + "/" + entry.path("platform").path("architecture").asText());
        JsonNode manifest = Fixtures.parse(
            RegistryContents.manifest(registry, repo, entry.path("digest").asText()).orElseThrow().bytes());
        JsonNode image = Fixtures.jsonBlob(registry, repo, manifest.path("config").path("digest").asText());
        JsonNode config = image.path("config");
        assertThat(image.path("architecture").asText()).isEqualTo(entry.path("platform").path("architecture").asText());
        assertThat(texts(config.path("Entrypoint"))).containsExactly("java", "-jar", "/app/" + app.jarFile());
        assertThat(texts(config.path("Cmd"))).as("the base's CMD must not become jar arguments").isEmpty();
        assertThat(config.path("User").asText()).isEqualTo("65532:65532");
        assertThat(config.path("WorkingDir").asText()).isEqualTo("/tmp");
        assertThat(texts(config.path("Env"))).contains("PATH=" + FakeBase.PATH,
            "JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError");
        JsonNode labels = config.path("Labels");
        assertThat(labels.path("org.opencontainers.image.version").asText()).isEqualTo("0.1.0");
        assertThat(labels.path("org.opencontainers.image.revision").asText()).isEqualTo(REVISION);
        assertThat(labels.path("org.opencontainers.image.source").asText()).isEqualTo("https://example.test/ecr-mirror");
        assertThat(labels.path("org.opencontainers.image.title").asText()).isEqualTo(app.title());
        assertThat(labels.path("org.opencontainers.image.description").asText()).isNotBlank();
        assertThat(labels.path("org.opencontainers.image.base.digest").asText())
            .isEqualTo(RegistryContents.manifest(registry, "base/java", "21").orElseThrow().digest().toString());
        assertThat(image.path("created").asText()).startsWith("1970-01-01T00:00:00");
      }
      assertThat(platforms).containsExactlyInAnyOrder("linux/amd64", "linux/arm64");
    }
  }

  @Test
  void workerImageHoldsTheWorkerJarBytesOnTopOfTheBase() throws IOException {
    JsonNode index = Fixtures.parse(RegistryContents.manifest(registry, "ecr-mirror/mirror-worker", "0.1.0").orElseThrow().bytes());
    for (JsonNode entry : index.path("manifests")) {
      JsonNode manifest = Fixtures.parse(RegistryContents.manifest(registry, "ecr-mirror/mirror-worker",
          entry.path("digest").asText()).orElseThrow().bytes());
      Map<String, byte[]> files = new LinkedHashMap<>();
      for (JsonNode layer : manifest.path("layers")) {
        files.putAll(Tars.readGzip(Fixtures.blob(registry, "ecr-mirror/mirror-worker", layer.path("digest").asText())));
      }
      assertThat(files).containsKey(FakeBase.JAVA_PATH);
      assertThat(files.get("app/mirror-worker.jar")).isEqualTo(Files.readAllBytes(workerJar));
      assertThat(files).doesNotContainKey("app/controller.jar");
    }
  }

  @Test
  void theShadedJarRebuildsIdenticalDigestsFromAColdCache() throws Exception {
    Path imagesJar = Path.of(System.getProperty("images.jar", "target/images.jar"));
    assertThat(imagesJar).as("run 'mvn package' first: the shaded jar is run as users run it").isRegularFile();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-jar", imagesJar.toString()));
    // Another repository and an empty cache: nothing can be reused from the first build.
    command.addAll(List.of(build(host + "/again", "--cache-dir", work.resolve("cache2").toString())));
    Process process = new ProcessBuilder(command).directory(work.toFile())
        .redirectError(work.resolve("second.err").toFile()).start();
    String out;
    try {
      out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
    } finally {
      process.destroyForcibly();
    }
    assertThat(process.exitValue()).as(Files.readString(work.resolve("second.err"))).isZero();

    Map<String, List<String>> first = printed(firstBuild.out());
    Map<String, List<String>> second = printed(out);
    for (AppImage app : AppImage.ALL) {
      assertThat(second.get(host + "/again/" + app.name() + ":0.1.0").get(0))
          .as(app.name() + " digest on the rebuild")
          .isEqualTo(first.get(host + "/ecr-mirror/" + app.name() + ":0.1.0").get(0));
    }
  }

  @Test
  void tarOutputWritesOneLoadableArchivePerImage() throws Exception {
    Path dir = work.resolve("tars");
    Fixtures.Run run = Fixtures.run(work, "--base", host + "/base/java:21", "--tar", dir.toString(),
        "--platform", "linux/arm64", "--worker-jar", workerJar.toString(), "--controller-jar", controllerJar.toString(),
        "--revision", REVISION, "--cache-dir", work.resolve("cache1").toString());
    assertThat(run.exit()).as(run.err()).isZero();
    Map<String, List<String>> printed = printedTars(run.out());
    assertThat(printed).containsOnlyKeys("ecr-mirror/controller:0.1.0", "ecr-mirror/mirror-worker:0.1.0");

    for (AppImage app : AppImage.ALL) {
      Path tarFile = dir.resolve(app.name() + ".tar");
      List<String> line = printed.get("ecr-mirror/" + app.name() + ":0.1.0");
      assertThat(line.subList(1, 3)).containsExactly("linux/arm64", tarFile.toString());
      Map<String, byte[]> tar = Tars.read(Files.readAllBytes(tarFile));
      // docker load reads manifest.json: a config and layers that must all be in the archive.
      JsonNode loadManifest = Fixtures.parse(tar.get("manifest.json")).get(0);
      assertThat(texts(loadManifest.path("RepoTags"))).singleElement().asString().endsWith("ecr-mirror/" + app.name() + ":0.1.0");
      byte[] configBytes = tar.get(loadManifest.path("Config").asText());
      assertThat(Digest.sha256(configBytes).toString()).as("the printed image id").isEqualTo(line.get(0));
      JsonNode config = Fixtures.parse(configBytes);
      assertThat(config.path("architecture").asText()).isEqualTo("arm64");
      assertThat(texts(config.path("config").path("Entrypoint"))).containsExactly("java", "-jar", "/app/" + app.jarFile());
      Map<String, byte[]> files = new LinkedHashMap<>();
      for (JsonNode layer : loadManifest.path("Layers")) {
        assertThat(tar).containsKey(layer.asText());
        files.putAll(Tars.readGzip(tar.get(layer.asText())));
      }
      assertThat(files.get("app/" + app.jarFile())).isEqualTo(Files.readAllBytes(app == AppImage.WORKER ? workerJar : controllerJar));
      assertThat(files).containsKey(FakeBase.JAVA_PATH);

      if (onPath("skopeo")) {
        // An independent reader of docker archives: copying it into a registry proves it loads.
        Process skopeo = new ProcessBuilder("skopeo", "copy", "--quiet", "--dest-tls-verify=false",
            "docker-archive:" + tarFile, "docker://" + host + "/loaded/" + app.name() + ":arm64")
            .redirectErrorStream(true).start();
        String output;
        try {
          output = new String(skopeo.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
          assertThat(skopeo.waitFor(2, TimeUnit.MINUTES)).isTrue();
        } finally {
          skopeo.destroyForcibly();
        }
        assertThat(skopeo.exitValue()).as(output).isZero();
        JsonNode copied = Fixtures.parse(RegistryContents.manifest(registry, "loaded/" + app.name(), "arm64").orElseThrow().bytes());
        assertThat(copied.path("config").path("digest").asText()).as("image id after a copy").isEqualTo(line.get(0));
      }
    }
  }

  @Test
  void singlePlatformBaseBuildsItsOnePlatformAndSaysSo() {
    Fixtures.Run run = Fixtures.run(work, "--base", host + "/base/java-amd64-only:21", "--to", host + "/single",
        "--worker-jar", workerJar.toString(), "--controller-jar", controllerJar.toString(),
        "--cache-dir", work.resolve("cache1").toString());
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.err()).contains("single-platform (linux/amd64): building linux/amd64 only");
    assertThat(printed(run.out()).values()).allSatisfy(v -> assertThat(v.get(1)).isEqualTo("linux/amd64"));
    RegistryContents.Served worker = RegistryContents.manifest(registry, "single/mirror-worker", "0.1.0").orElseThrow();
    assertThat(worker.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
  }

  @Test
  void aPlatformTheBaseLacksIsSkippedWithANote() {
    Fixtures.Run run = Fixtures.run(work, "--base", host + "/base/java:21", "--to", host + "/partial",
        "--platform", "linux/arm64,linux/s390x", "--worker-jar", workerJar.toString(),
        "--controller-jar", controllerJar.toString(), "--cache-dir", work.resolve("cache1").toString());
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.err()).contains("has no linux/s390x image: skipping linux/s390x");
    assertThat(printed(run.out()).values()).allSatisfy(v -> assertThat(v.get(1)).isEqualTo("linux/arm64"));
  }

  @Test
  void jsonOutputNamesEachImageWithDigestAndPlatforms() {
    Fixtures.Run run = Fixtures.run(work, build(host + "/ecr-mirror", "--json", "--cache-dir", work.resolve("cache1").toString()));
    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode json = Fixtures.parse(run.out().getBytes(StandardCharsets.UTF_8));
    assertThat(json).hasSize(2);
    Map<String, List<String>> first = printed(firstBuild.out());
    for (JsonNode image : json) {
      assertThat(image.path("digest").asText()).isEqualTo(first.get(image.path("image").asText()).get(0));
      assertThat(texts(image.path("platforms"))).containsExactly("linux/amd64", "linux/arm64");
    }
  }

  @Test
  void aMissingBaseFailsWithExitOneAndOneLine() {
    Fixtures.Run run = Fixtures.run(work, "--base", host + "/base/missing:21", "--to", host + "/x",
        "--worker-jar", workerJar.toString(), "--controller-jar", controllerJar.toString(), "--retry-times", "0");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err().strip()).doesNotContain("\n").contains("cannot read base image " + host + "/base/missing:21");
  }

  private static List<String> texts(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(n -> values.add(n.asText()));
    return values;
  }

  private static boolean onPath(String binary) {
    String path = System.getenv("PATH");
    return path != null && java.util.Arrays.stream(path.split(java.io.File.pathSeparator))
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, binary)));
  }
}
