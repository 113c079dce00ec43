package dev.ecrmirror.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecrmirror.common.manifest.Platform;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Naming the images from --to / --tar, and choosing platforms from what the base offers. */
class TargetAndBaseTest {
  private static final Platform AMD64 = Platform.parse("linux/amd64");
  private static final Platform ARM64 = Platform.parse("linux/arm64");

  @Test
  void ecrPrefixMatchesTheCdkDefaultImageNames() {
    Target.Registry target = Target.Registry.of("123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-mirror/", "0.1.0");
    assertThat(target.name(AppImage.CONTROLLER))
        .isEqualTo("123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-mirror/controller:0.1.0");
    assertThat(target.name(AppImage.WORKER))
        .isEqualTo("123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-mirror/mirror-worker:0.1.0");
  }

  @Test
  void aBareRegistryIsAValidPrefix() {
    assertThat(Target.Registry.of("127.0.0.1:5000", "dev").name(AppImage.WORKER)).isEqualTo("127.0.0.1:5000/mirror-worker:dev");
  }

  @Test
  void aPrefixWithATagIsRejected() {
    assertThatThrownBy(() -> Target.Registry.of("registry.example.com/team:1.0", "0.1.0"))
        .hasMessageStartingWith("--to 'registry.example.com/team:1.0'");
  }

  @Test
  void tarFilesAndNamesFollowTheImageNames() {
    Target.Tar tar = Target.Tar.of(Path.of("dist"), "0.1.0");
    assertThat(tar.file(AppImage.WORKER)).isEqualTo(Path.of("dist/mirror-worker.tar"));
    assertThat(tar.name(AppImage.CONTROLLER)).isEqualTo("ecr-mirror/controller:0.1.0");
  }

  @Test
  void entrypointsAreExactlyJavaJarOfTheJarUnderApp() {
    assertThat(AppImage.WORKER.entrypoint()).containsExactly("java", "-jar", "/app/mirror-worker.jar");
    assertThat(AppImage.CONTROLLER.entrypoint()).containsExactly("java", "-jar", "/app/controller.jar");
  }

  private static BaseImage base(boolean multi, Platform... platforms) {
    return new BaseImage(ImageReference.parse("eclipse-temurin:21-jre"), Digest.sha256(new byte[0]), List.of(platforms), multi);
  }

  @Test
  void anIndexBuildsTheRequestedPlatformsItHas() {
    BaseImage.Choice choice = base(true, AMD64, Platform.parse("linux/arm64/v8"), Platform.parse("linux/ppc64le"))
        .choose(List.of(AMD64, ARM64));
    assertThat(choice.platforms()).extracting(Platform::toString).containsExactly("linux/amd64", "linux/arm64/v8");
    assertThat(choice.notes()).isEmpty();
  }

  @Test
  void aPlatformTheIndexLacksIsSkippedWithANote() {
    BaseImage.Choice choice = base(true, AMD64).choose(List.of(AMD64, ARM64));
    assertThat(choice.platforms()).containsExactly(AMD64);
    assertThat(choice.notes()).singleElement().asString().contains("has no linux/arm64 image");
  }

  @Test
  void anIndexWithNoneOfTheRequestedPlatformsIsAnError() {
    assertThatThrownBy(() -> base(true, Platform.parse("linux/s390x")).choose(List.of(AMD64, ARM64)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("offers linux/s390x, none of the requested platforms (linux/amd64, linux/arm64)");
  }

  @Test
  void aSingleImageBuildsItsOwnPlatformWhateverWasAsked() {
    BaseImage.Choice choice = base(false, ARM64).choose(List.of(AMD64));
    assertThat(choice.platforms()).containsExactly(ARM64);
    assertThat(choice.notes()).singleElement().asString().contains("single-platform (linux/arm64)");
  }

  @Test
  void theBaseIsPulledByDigest() {
    assertThat(base(true, AMD64).pinned()).isEqualTo("docker.io/library/eclipse-temurin@" + Digest.sha256(new byte[0]));
  }
}
