package dev.ecrmirror.common.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * What every ecr-mirror command line shares: a usage error is one line, {@code NAME: problem (see
 * --help)}, exit 2; a failure is one line, exit 1, with its stack trace only under {@code --debug};
 * {@code --help} ends with the exit codes; {@code -v}/{@code --debug} turns on retries and traces.
 */
public final class CommandLineSupport {
  /** The slf4j-simple level key for the project's loggers; a system property overrides the file. */
  static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.log.dev.ecrmirror";

  private static volatile boolean debug;

  private CommandLineSupport() {}

  /** Installs the shared error handling and help layout on {@code cli} and all its subcommands. */
  public static CommandLine configure(CommandLine cli) {
    cli.setParameterExceptionHandler(CommandLineSupport::onParameterException);
    cli.setExecutionExceptionHandler(CommandLineSupport::onExecutionException);
    layOut(cli);
    return cli;
  }

  /**
   * The {@code -v}/{@code --debug} option (plus any extra names a command kept from before), as a
   * mixin built with the programmatic API so the worker reads no annotations for it. Parsing it sets
   * the log level before any project logger exists, so retries show at DEBUG.
   */
  public static CommandSpec debugMixin() {
    return debugMixin(List.of(), "");
  }

  /**
   * The {@code -v}/{@code --debug} option under more names, for a command where it also shows more
   * of the command's own output.
   *
   * @param alsoDoes what else it does, a sentence appended to the description
   */
  public static CommandSpec debugMixin(List<String> extraNames, String alsoDoes) {
    List<String> names = new ArrayList<>(List.of("-v", "--debug"));
    names.addAll(extraNames);
    ISetter setter = new ISetter() {
      @Override
      public <T> T set(T value) {
        setDebug(Boolean.TRUE.equals(value));
        return null;
      }
    };
    OptionSpec option = OptionSpec.builder(names.toArray(String[]::new))
        .type(boolean.class).initialValue(false).setter(setter)
        .description(("Debug output: log every retry, and print the stack trace of a failure. " + alsoDoes).strip())
        .build();
    return CommandSpec.create().addOption(option);
  }

  /** True when the command line being run asked for {@code --debug}. */
  public static boolean debug() {
    return debug;
  }

  static void setDebug(boolean on) {
    debug = on;
    if (on) {
      System.setProperty(LOG_LEVEL_PROPERTY, "debug");
    } else {
      System.clearProperty(LOG_LEVEL_PROPERTY);
    }
  }

  /**
   * Prints a usage error as one line on the command's error writer and returns {@link ExitCodes#USAGE}.
   * Call it from a command that finds bad input itself; picocli's own parse errors come here too.
   */
  public static int usageError(CommandLine command, String problem) {
    PrintWriter err = command.getErr();
    err.println(command.getCommandSpec().qualifiedName() + ": " + oneLine(problem) + " (see --help)");
    err.flush();
    return ExitCodes.USAGE;
  }

  /**
   * Prints a failure as one line (and, under {@code --debug}, the stack trace of its cause) and
   * returns {@link ExitCodes#FAILED}.
   */
  public static int failure(CommandLine command, String problem, Throwable cause) {
    PrintWriter err = command.getErr();
    err.println(command.getCommandSpec().qualifiedName() + ": " + oneLine(problem));
    trace(err, cause);
    err.flush();
    return ExitCodes.FAILED;
  }

  /** Under {@code --debug}, prints the stack trace of {@code cause}; otherwise nothing. */
  public static void trace(PrintWriter err, Throwable cause) {
    if (debug && cause != null) {
      cause.printStackTrace(err);
      err.flush();
    }
  }

  private static int onParameterException(ParameterException e, String[] args) {
    // A value given to --src-creds or a mistyped --dest-token is never echoed.
    int code = usageError(e.getCommandLine(), RegistryCliOptions.redact(e.getMessage(), args));
    trace(e.getCommandLine().getErr(), e);
    return code;
  }

  private static int onExecutionException(Exception e, CommandLine command, ParseResult parsed) {
    if (e instanceof UsageException) {
      int code = usageError(command, e.getMessage());
      trace(command.getErr(), e);
      return code;
    }
    return failure(command, e.getMessage() != null ? e.getMessage() : e.toString(), e);
  }

  /** picocli prefixes some messages with "Error: " and wraps a few; the line says it once, flat. */
  static String oneLine(String message) {
    return message.replaceFirst("^Error: ", "").replaceAll("\\s*\\R\\s*", " ").strip();
  }

  /** Exit codes from the command's {@link ExitCodes.Documented}, printed last in its help. */
  private static void layOut(CommandLine cli) {
    if (cli.getCommand() instanceof ExitCodes.Documented documented) {
      Map<String, String> list = new LinkedHashMap<>();
      documented.exitCodes().byCode().forEach((code, meaning) -> list.put(String.valueOf(code), meaning));
      cli.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(list);
    }
    List<String> keys = new ArrayList<>(cli.getHelpSectionKeys());
    keys.remove(CommandLine.Model.UsageMessageSpec.SECTION_KEY_EXIT_CODE_LIST_HEADING);
    keys.remove(CommandLine.Model.UsageMessageSpec.SECTION_KEY_EXIT_CODE_LIST);
    keys.add(CommandLine.Model.UsageMessageSpec.SECTION_KEY_EXIT_CODE_LIST_HEADING);
    keys.add(CommandLine.Model.UsageMessageSpec.SECTION_KEY_EXIT_CODE_LIST);
    cli.setHelpSectionKeys(keys);
    cli.getSubcommands().values().forEach(CommandLineSupport::layOut);
  }
}
