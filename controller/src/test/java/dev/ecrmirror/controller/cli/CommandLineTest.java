package dev.ecrmirror.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.cli.ExitCodes;
import dev.ecrmirror.controller.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The controller's command lines as a new user meets them: every usage error is one exact line and
 * exit 2, found before any table is opened; each command's help lists only the options it reads and
 * ends with exit codes that the code defines and docs/controller.md repeats.
 */
class CommandLineTest {
  private static final String NL = System.lineSeparator();
  private static final List<String> SYNC_ONLY = List.of("--batch-endpoint-url", "--sqs-endpoint-url",
      "--ecr-endpoint-url", "--job-queue", "--job-definition", "--events-queue-url", "--insecure-registry",
      "--auth-file", "--retry-times", "--concurrency");

  private static void assertUsage(Cli.Run run, String line) {
    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).isEqualTo(line + NL);
  }

  @Test
  void commandsWithoutASubcommandSayWhichExist() {
    assertUsage(Cli.run(), "controller: no command given: choose one of table, sync (see --help)");
    assertUsage(Cli.run("table"), "controller table: no command given: choose one of put, list, delete, retry (see --help)");
  }

  @Test
  void parseErrorsAreOneLineNotTheHelp() {
    assertUsage(Cli.run("--bogus"), "controller: Unknown option: '--bogus' (see --help)");
    assertUsage(Cli.run("table", "put"), "controller table put: Missing required parameters: 'SOURCE', 'DEST' (see --help)");
    assertUsage(Cli.run("table", "delete"), "controller table delete: Missing required parameter: 'SOURCE' (see --help)");
    assertUsage(Cli.run("sync", "--jobs", "many"),
        "controller sync: Invalid value for option '--jobs': 'many' is not an int (see --help)");
  }

  @Test
  void optionsACommandDoesNotReadAreUnknownToIt() {
    assertUsage(Cli.run("table", "list", "--batch-endpoint-url=http://127.0.0.1:9"),
        "controller table list: Unknown option: '--batch-endpoint-url=http://127.0.0.1:9' (see --help)");
    assertUsage(Cli.run("table", "put", "--scan-segments", "2", "alpine", "127.0.0.1:9/alpine"),
        "controller table put: Unknown option: '--scan-segments' (see --help)");
  }

  @Test
  void emptyListElementsAreRefused() {
    assertUsage(Cli.run("table", "put", "alpine:3.20", "127.0.0.1:9/a/alpine,,127.0.0.1:9/b/alpine"),
        "controller table put: DEST '127.0.0.1:9/a/alpine,,127.0.0.1:9/b/alpine' has an empty element: remove the "
            + "doubled, leading or trailing comma (see --help)");
    assertUsage(Cli.run("table", "put", "--platform", "linux/amd64,", "alpine:3.20", "127.0.0.1:9/alpine"),
        "controller table put: --platform 'linux/amd64,' has an empty element: remove the doubled, leading or "
            + "trailing comma (see --help)");
  }

  @Test
  void checksInsideACommandAreOneLineToo() {
    assertUsage(Cli.run("sync", "--tag", "1"), "controller sync: --tag needs --repository (see --help)");
    assertUsage(Cli.run("sync", "--local", "--scan-segments", "0"),
        "controller sync: --scan-segments must be 1 or more, not 0 (see --help)");
  }

  @Test
  void eachHelpListsOnlyTheOptionsItsCommandReads() {
    for (String command : List.of("put", "list", "delete")) {
      String help = Cli.run("table", command, "--help").out();
      // table list --check-settings asks ECR: the ECR endpoint is its too.
      assertThat(help).as("table " + command).contains("--table=NAME", "--local", "--region", "-v, --debug")
          .doesNotContain(SYNC_ONLY.stream().filter(o -> !(command.equals("list") && o.equals("--ecr-endpoint-url")))
              .toArray(String[]::new));
    }
    assertThat(Cli.run("table", "put", "--help").out()).doesNotContain("--scan-segments");
    assertThat(Cli.run("table", "delete", "--help").out()).doesNotContain("--scan-segments");
    assertThat(Cli.run("table", "list", "--help").out()).contains("--scan-segments");
    assertThat(Cli.run("sync", "--help").out()).contains(SYNC_ONLY.toArray(String[]::new))
        .contains("--scan-segments", "-v, --debug, --verbose");
  }

  @Test
  void everyHelpEndsWithTheExitCodesTheCodeDefinesAndTheDocsRepeat() throws IOException {
    String docs = Files.readString(Path.of("..", "docs", "controller.md"));
    List<String> checked = new ArrayList<>();
    visit(ControllerCli.commandLine(), new ArrayList<>(), (path, documented) -> {
      Cli.Run help = Cli.run(concat(path, "--help"));
      assertThat(help.exitCode()).isZero();
      Map<Integer, String> printed = exitCodes(help.out());
      Map<Integer, String> defined = documented.exitCodes().byCode();
      assertThat(printed).as(String.join(" ", path)).isEqualTo(defined);
      assertThat(printed.keySet()).containsExactly(ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE);
      String name = path.isEmpty() ? "controller" : String.join(" ", path);
      String row = " | " + defined.get(ExitCodes.OK) + " | " + defined.get(ExitCodes.FAILED) + " | "
          + defined.get(ExitCodes.USAGE) + " |";
      assertThat(docs.lines().filter(l -> l.startsWith("| ") && l.contains("`" + name + "`") && l.endsWith(row)))
          .as("docs/controller.md row for " + name).hasSize(1);
      checked.add(name);
    });
    assertThat(checked).containsExactlyInAnyOrder("controller", "table", "table put", "table list", "table delete", "table retry", "sync");
  }

  interface Visitor {
    void visit(List<String> path, ExitCodes.Documented documented);
  }

  private static void visit(CommandLine cli, List<String> path, Visitor visitor) {
    Object command = cli.getCommand();
    assertThat(command).as(cli.getCommandName() + " documents its exit codes").isInstanceOf(ExitCodes.Documented.class);
    visitor.visit(path, (ExitCodes.Documented) command);
    cli.getSubcommands().forEach((name, sub) -> {
      List<String> next = new ArrayList<>(path);
      next.add(name);
      visit(sub, next, visitor);
    });
  }

  private static String[] concat(List<String> path, String last) {
    List<String> all = new ArrayList<>(path);
    all.add(last);
    return all.toArray(String[]::new);
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
