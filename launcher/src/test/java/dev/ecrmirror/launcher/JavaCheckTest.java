package dev.ecrmirror.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The version check's arithmetic and its one line, for each way a user may have started an old Java. */
class JavaCheckTest {
  @TempDir
  Path dir;

  @Test
  void featureReleaseFromEitherVersionScheme() {
    assertThat(JavaCheck.feature("1.8")).isEqualTo(8);
    assertThat(JavaCheck.feature("11")).isEqualTo(11);
    assertThat(JavaCheck.feature("17")).isEqualTo(17);
    assertThat(JavaCheck.feature("21")).isEqualTo(21);
    assertThat(JavaCheck.feature("25")).isEqualTo(25);
    assertThat(JavaCheck.feature(null)).isEqualTo(21);
  }

  /** A fake JDK: HOME/bin/java, an executable file. */
  private Path jdk(String name) throws Exception {
    Path bin = Files.createDirectories(dir.resolve(name).resolve("bin"));
    Path java = Files.writeString(bin.resolve("java"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    return dir.resolve(name);
  }

  @Test
  void theFirstJavaOnPathIsToldToMakeWayForANewerOne() throws Exception {
    Path old = jdk("jdk-17");
    Path links = Files.createDirectories(dir.resolve("usr-bin"));
    // As Debian's alternatives do: PATH holds a link to the JDK's java.
    Files.createSymbolicLink(links.resolve("java"), old.resolve("bin/java"));
    String path = dir.resolve("empty") + File.pathSeparator + links + File.pathSeparator + jdk("jdk-25").resolve("bin");

    assertThat(JavaCheck.tooOld(17, old.toString(), path)).isEqualTo(
        "ecr-mirror needs Java 21 or later; this is Java 17, the first java on PATH; put a newer one first on PATH");
  }

  @Test
  void aJavaNotFirstOnPathIsNamedByItsHome() throws Exception {
    Path old = jdk("jdk-11");
    String path = jdk("jdk-25").resolve("bin") + File.pathSeparator + old.resolve("bin");

    assertThat(JavaCheck.tooOld(11, old.toString(), path)).isEqualTo("ecr-mirror needs Java 21 or later; this is Java 11 at "
        + old + "; run the jar with a newer java");
    assertThat(JavaCheck.tooOld(8, old.toString(), null)).startsWith("ecr-mirror needs Java 21 or later; this is Java 8 at ");
  }
}
