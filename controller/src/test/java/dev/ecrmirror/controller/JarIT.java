package dev.ecrmirror.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.RegistryContents;
import dev.ecrmirror.common.testing.TestImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The shaded jar as a user runs it: {@code java -jar controller.jar ... --local}, natives and all. */
class JarIT {
  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(2);

  @TempDir
  Path work;

  record Result(int code, String out) {}

  Result java(String... args) throws Exception {
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(javaBin, "-jar", System.getProperty("controller.jar")));
    command.addAll(List.of(args));
    command.add("--local");
    command.add("--data-dir=" + work.resolve("data"));
    Path cwd = Files.createDirectories(work.resolve("cwd"));
    Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        throw new AssertionError("controller.jar did not finish: " + command);
      }
      return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
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
}
