package dev.ecrmirror.controller.cli;

import dev.ecrmirror.common.cli.CommandLineSupport;
import dev.ecrmirror.common.cli.ExitCodes;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The controller's command line: {@code table put|list|delete} and {@code sync}. */
@Command(name = "controller", mixinStandardHelpOptions = true, version = "ecr-mirror controller 0.1.0",
    description = "Keeps the mirror table's destinations at their sources' digests.",
    subcommands = {TableCommand.class, SyncCommand.class})
public final class ControllerCli implements Callable<Integer>, ExitCodes.Documented {
  /** Exit code: all good. */
  static final int OK = ExitCodes.OK;
  /** Exit code: some rows failed, or a service could not be used. */
  static final int FAILED = ExitCodes.FAILED;
  /** Exit code: bad usage. */
  static final int USAGE = ExitCodes.USAGE;

  /** The exit codes of a command that only dispatches to its subcommands. */
  static final ExitCodes.Meanings GROUP_EXIT_CODES = new ExitCodes.Meanings("the command succeeded",
      "the command failed (its --help says when)", "bad usage: no or an unknown command, or a bad option");

  @Spec
  CommandSpec spec;

  @Mixin
  CommandSpec debug = CommandLineSupport.debugMixin();

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line (exit codes, one-line errors), for {@code main} and tests. */
  public static CommandLine commandLine() {
    return CommandLineSupport.configure(new CommandLine(new ControllerCli()));
  }

  @Override
  public Integer call() {
    return CommandLineSupport.usageError(spec.commandLine(), "no command given: choose one of "
        + String.join(", ", spec.subcommands().keySet()));
  }

  @Override
  public ExitCodes.Meanings exitCodes() {
    return GROUP_EXIT_CODES;
  }

  /** The process environment; one place so the commands read it the same way. */
  static Map<String, String> env() {
    return System.getenv();
  }
}
