package dev.ecrmirror.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.RegistryContents;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.controller.testing.Cli;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sync in local mode brings each mirrored image's cosign signature along, for a single-image row
 * and for a repository row's tags: real registries, DynamoDB Local, the worker's engine in process.
 */
class ReferrersLocalModeIT {
  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(2);

  @TempDir
  Path data;

  Cli.Run run(String... args) {
    return Cli.local(data, args);
  }

  @Test
  void oneSyncBringsTheSignaturesOfEveryMirroredImage() {
    String src = registries.get(0).host();
    String dst = registries.get(1).host();
    TestImages images = new TestImages(registries.get(0).baseUri(), 21);
    TestImages.Pushed app = images.ociIndex("app", "1", List.of("linux/amd64", "linux/arm64"), 1, 512);
    TestImages.Pushed appSig = images.cosignSignature("app", app.digest());
    TestImages.Pushed tool = images.image("tool", "linux", "amd64", "", true, 1, 512);
    images.tag("tool", "2.0.0", tool);
    TestImages.Pushed toolSig = images.cosignSignature("tool", tool.digest());

    assertThat(run("table", "put", src + "/app:1", dst + "/app").exitCode()).isZero();
    assertThat(run("table", "put", "--tags", "2.*", src + "/tool", dst + "/tool").exitCode()).isZero();

    Cli.Run first = run("sync");

    assertThat(first.exitCode()).as(first.out() + first.err()).isZero();
    String appTag = "sha256-" + app.digest().hex() + ".sig";
    String toolTag = "sha256-" + tool.digest().hex() + ".sig";
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), "app", appTag).orElseThrow().digest())
        .isEqualTo(appSig.digest());
    assertThat(RegistryContents.differences(registries.get(0).baseUri(), "app", registries.get(1).baseUri(), "app", appTag))
        .isEmpty();
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), "tool", toolTag).orElseThrow().digest())
        .isEqualTo(toolSig.digest());

    Cli.Run second = run("sync");
    assertThat(second.exitCode()).as(second.out() + second.err()).isZero();
    assertThat(second.out()).contains("2 in sync").doesNotContain("mirrored");
  }
}
