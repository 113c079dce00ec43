package dev.ecrmirror.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.ref.ImageReference;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ProgressReporterTest {
  private static final ImageReference A = ImageReference.parse("registry-a.example.com/app:1");
  private static final ImageReference B = ImageReference.parse("registry-b.example.com/app:1");

  private static Progress halfway() {
    Progress progress = new Progress();
    progress.plan(A, 4 * 1024 * 1024);
    progress.plan(B, 4 * 1024 * 1024);
    progress.advance(A, 2 * 1024 * 1024);
    progress.advance(B, 1024 * 1024);
    return progress;
  }

  @Test
  void onATerminalRedrawsOneLineAndClearsItAtTheEnd() throws Exception {
    StringWriter screen = new StringWriter();
    try (ProgressReporter reporter = ProgressReporter.live(halfway(), new PrintWriter(screen))) {
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!screen.toString().contains("sent") && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }
    String shown = screen.toString();
    assertThat(shown).startsWith("\r\033[K").endsWith("\r\033[K").doesNotContain("\n");
    assertThat(shown).contains("3.0 MiB of 8.0 MiB sent").contains("registry-a.example.com 50%").contains("registry-b.example.com 25%");
  }

  @Test
  void offATerminalWritesPlainLogLinesAtTheInterval() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    try (ProgressReporter reporter = ProgressReporter.logging(halfway(), Duration.ofMillis(50), lines::add)) {
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (lines.size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }
    assertThat(lines).hasSizeGreaterThanOrEqualTo(2);
    assertThat(lines).allSatisfy(l -> assertThat(l).doesNotContain("\r").doesNotContain("\033").contains("3.0 MiB of 8.0 MiB sent"));
  }

  @Test
  void saysNothingBeforeAnythingIsPlanned() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    try (ProgressReporter reporter = ProgressReporter.logging(new Progress(), Duration.ofMillis(50), lines::add)) {
      Thread.sleep(250);
    }
    assertThat(lines).isEmpty();
  }
}
