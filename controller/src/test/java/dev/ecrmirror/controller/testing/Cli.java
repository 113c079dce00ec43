package dev.ecrmirror.controller.testing;

import dev.ecrmirror.controller.cli.ControllerCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Runs the controller CLI in process, capturing its output and exit code. */
public final class Cli {
  private Cli() {}

  /** What a run printed and returned. */
  public record Run(int exitCode, String out, String err) {}

  public static Run run(String... args) {
    CommandLine cli = ControllerCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  /** Runs the command in local mode ({@code --local}) on the data directory {@code data}. */
  public static Run local(Path data, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--local");
    all.add("--data-dir=" + data);
    return run(all.toArray(String[]::new));
  }
}
