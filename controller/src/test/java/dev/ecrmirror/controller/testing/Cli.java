package dev.ecrmirror.controller.testing;

import dev.ecrmirror.controller.cli.ControllerCli;
import java.io.PrintWriter;
import java.io.StringWriter;
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
}
