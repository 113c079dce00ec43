package dev.ecrmirror.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The revision label's default: the checkout's HEAD, or "unknown" where there is none. */
class LabelsTest {
  @TempDir
  Path dir;

  @Test
  void outsideAGitCheckoutTheRevisionIsUnknown() {
    assertThat(Labels.gitRevision(dir)).isEqualTo("unknown");
  }

  @Test
  void insideAGitCheckoutTheRevisionIsHead() throws Exception {
    git("init", "-q");
    git("-c", "user.name=test", "-c", "user.email=test@example.test", "commit", "-q", "--allow-empty", "-m", "first");
    String head = git("rev-parse", "HEAD").strip();
    assertThat(head).matches("[0-9a-f]{40}");
    assertThat(Labels.gitRevision(dir)).isEqualTo(head);
  }

  private String git(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    try {
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as(out).isZero();
      return out;
    } finally {
      process.destroyForcibly();
    }
  }
}
