package dev.ecrmirror.controller.cli;

import dev.ecrmirror.common.cli.RegistryCliOptions;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The controller's command line: {@code table put|list|delete} and {@code sync}. */
@Command(name = "controller", mixinStandardHelpOptions = true, version = "ecr-mirror controller 0.1.0",
    description = "Keeps the mirror table's destinations at their sources' digests.",
    subcommands = {TableCommand.class, SyncCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:ok; every row checked is in sync, mirrored or submitted",
        "1:some rows failed or are invalid, or the table/queue/Batch could not be used",
        "2:bad usage (unknown option, invalid reference)"})
public final class ControllerCli implements Callable<Integer> {
  /** Exit code: all good. */
  static final int OK = 0;
  /** Exit code: some rows failed, or a service could not be used. */
  static final int FAILED = 1;
  /** Exit code: bad usage. */
  static final int USAGE = 2;

  @Spec
  CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line (exit codes, usage output), for {@code main} and tests. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new ControllerCli());
    cli.setExitCodeExceptionMapper(e -> USAGE);
    // One line for a bad option value (a constraint that does not parse, --max-results 0), not the
    // whole usage; a value given to --src-creds or a mistyped --dest-token is never echoed.
    cli.setParameterExceptionHandler((e, args) -> {
      PrintWriter err = e.getCommandLine().getErr();
      err.println("error: " + RegistryCliOptions.redact(e.getMessage(), args) + " (see --help)");
      CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
      err.flush();
      return USAGE;
    });
    cli.setExecutionExceptionHandler((e, command, parseResult) -> {
      PrintWriter err = command.getErr();
      if (e instanceof UsageException) {
        err.println("error: " + e.getMessage());
        err.flush();
        return USAGE;
      }
      err.println("error: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
      err.flush();
      return FAILED;
    });
    return cli;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return USAGE;
  }

  /** The process environment; one place so the commands read it the same way. */
  static Map<String, String> env() {
    return System.getenv();
  }
}
