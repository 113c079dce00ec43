package dev.ecrmirror.common.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The behaviour every command shares: one-line errors, their exit codes, --debug, exit codes last in help. */
class CommandLineSupportTest {
  /** A command that fails the way it is told to. */
  @Command(name = "tool", mixinStandardHelpOptions = true, footer = "A footer.")
  static final class Tool implements Callable<Integer>, ExitCodes.Documented {
    @Option(names = "--fail", paramLabel = "HOW")
    String fail;

    @Mixin
    CommandSpec debug = CommandLineSupport.debugMixin();

    @Override
    public Integer call() {
      if ("usage".equals(fail)) {
        throw new UsageException("--fail: 'usage' was asked for");
      }
      if ("crash".equals(fail)) {
        throw new IllegalStateException("the disk\nis full");
      }
      return ExitCodes.OK;
    }

    @Override
    public ExitCodes.Meanings exitCodes() {
      return new ExitCodes.Meanings("done", "it failed", "bad usage");
    }
  }

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    CommandLine cli = CommandLineSupport.configure(new CommandLine(new Tool()));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @AfterEach
  void debugOff() {
    CommandLineSupport.setDebug(false);
  }

  @Test
  void parseErrorIsOneLineAndExit2() {
    Run run = run("--bogus");
    assertThat(run.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).isEqualTo("tool: Unknown option: '--bogus' (see --help)" + System.lineSeparator());
    assertThat(run.out()).isEmpty();
  }

  @Test
  void usageExceptionIsOneLineAndExit2() {
    Run run = run("--fail", "usage");
    assertThat(run.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).isEqualTo("tool: --fail: 'usage' was asked for (see --help)" + System.lineSeparator());
  }

  @Test
  void failureIsOneLineAndExit1WithoutTrace() {
    Run run = run("--fail", "crash");
    assertThat(run.code()).isEqualTo(ExitCodes.FAILED);
    assertThat(run.err()).isEqualTo("tool: the disk is full" + System.lineSeparator());
  }

  @Test
  void debugAddsTheStackTraceAndRaisesTheLogLevel() {
    Run run = run("--fail", "crash", "-v");
    assertThat(run.code()).isEqualTo(ExitCodes.FAILED);
    assertThat(run.err()).startsWith("tool: the disk is full" + System.lineSeparator() + "java.lang.IllegalStateException: the disk")
        .contains("\tat " + Tool.class.getName());
    assertThat(System.getProperty(CommandLineSupport.LOG_LEVEL_PROPERTY)).isEqualTo("debug");
    assertThat(run("--fail", "crash", "--debug").err()).contains("\tat ");
    assertThat(run("--fail", "crash").err()).doesNotContain("\tat ");
    assertThat(System.getProperty(CommandLineSupport.LOG_LEVEL_PROPERTY)).as("the next run without --debug").isNull();
  }

  @Test
  void helpEndsWithTheExitCodes() {
    Run run = run("--help");
    assertThat(run.code()).isZero();
    String nl = System.lineSeparator();
    assertThat(run.out()).endsWith("A footer." + nl + nl + "Exit codes:" + nl + "  0   done" + nl + "  1   it failed" + nl
        + "  2   bad usage" + nl);
  }
}
