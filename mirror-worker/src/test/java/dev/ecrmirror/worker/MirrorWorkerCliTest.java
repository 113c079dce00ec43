package dev.ecrmirror.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.FailureKind;
import dev.ecrmirror.common.cli.ExitCodes;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Usage errors are one exact line and exit 2, before any registry is contacted; help ends with the exit codes. */
class MirrorWorkerCliTest {
  private static final String NL = System.lineSeparator();

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = MirrorWorkerCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private static void assertUsage(Run run, String line) {
    assertThat(run.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).isEqualTo(line + NL);
  }

  @Test
  void emptyDestinationElementIsRefused() {
    // Port 9 on loopback: nothing listens, and nothing may be contacted before the arguments are checked.
    assertUsage(run("127.0.0.1:9/team/app:1", "127.0.0.1:9/a/app,,127.0.0.1:9/b/app"),
        "mirror-worker: DEST '127.0.0.1:9/a/app,,127.0.0.1:9/b/app' has an empty element: remove the doubled, "
            + "leading or trailing comma (see --help)");
    assertUsage(run("127.0.0.1:9/team/app:1", "127.0.0.1:9/a/app,"),
        "mirror-worker: DEST '127.0.0.1:9/a/app,' has an empty element: remove the doubled, leading or trailing comma "
            + "(see --help)");
  }

  @Test
  void emptyPlatformElementIsRefused() {
    assertUsage(run("--platform", "linux/amd64,,linux/arm64", "127.0.0.1:9/team/app:1", "127.0.0.1:9/b/app"),
        "mirror-worker: --platform 'linux/amd64,,linux/arm64' has an empty element: remove the doubled, leading or "
            + "trailing comma (see --help)");
  }

  @Test
  void parseErrorsAndInvalidReferencesAreOneLine() {
    assertUsage(run("--bogus", "a", "b"), "mirror-worker: Unknown option: '--bogus' (see --help)");
    assertUsage(run(), "mirror-worker: Missing required parameters: 'SOURCE', 'DEST' (see --help)");
    assertUsage(run("--jobs", "0", "a", "b"), "mirror-worker: --jobs must be at least 1, not 0 (see --help)");
    Run badRef = run("Team/App", "127.0.0.1:9/b/app");
    assertThat(badRef.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(badRef.err()).startsWith("mirror-worker: source: invalid image reference 'Team/App'").endsWith(" (see --help)" + NL)
        .doesNotContain("\tat ").hasLineCount(1);
  }

  @Test
  void helpEndsWithTheExitCodesTheDocsRepeat() throws IOException {
    Run help = run("--help");
    assertThat(help.exit()).isZero();
    Map<Integer, String> printed = exitCodes(help.out());
    Map<Integer, String> defined = new MirrorWorkerCli().exitCodes().byCode();
    assertThat(printed).isEqualTo(defined);
    // One code per failure kind, which the controller reads back from a Batch job's exit code.
    assertThat(printed.keySet()).containsExactly(ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE,
        FailureKind.CONFLICT.exitCode(), FailureKind.RATE_LIMITED.exitCode(), FailureKind.PERMANENT.exitCode());
    assertThat(FailureKind.TRANSIENT.exitCode()).isEqualTo(ExitCodes.FAILED);
    String docs = Files.readString(Path.of("..", "docs", "worker.md"));
    defined.forEach((code, meaning) -> assertThat(docs).contains("| " + code + " | " + meaning + " |"));
  }

  /** The "Exit codes:" section, the last of the help, with wrapped meanings joined. */
  static Map<Integer, String> exitCodes(String help) {
    String section = help.substring(help.lastIndexOf("Exit codes:" + NL) + ("Exit codes:" + NL).length());
    Map<Integer, String> codes = new LinkedHashMap<>();
    Integer last = null;
    for (String line : section.split(NL)) {
      if (line.matches("  \\d+ .*")) {
        last = Integer.parseInt(line.strip().split("\\s+")[0]);
        codes.put(last, line.strip().replaceFirst("^\\d+\\s+", ""));
      } else if (last != null && !line.isBlank()) {
        codes.merge(last, line.strip(), (a, b) -> a + " " + b);
      }
    }
    return codes;
  }
}
