package dev.ecrmirror.controller.cli;

import dev.ecrmirror.common.cli.CommandLineSupport;
import dev.ecrmirror.common.cli.ExitCodes;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** A command on the one row SOURCE names, stored under any of the keys {@link TableCommand#candidates} gives. */
abstract class TableRowCommand implements Callable<Integer>, ExitCodes.Documented {
  @Spec
  CommandSpec spec;

  @Mixin
  TableOptions where;

  @Mixin
  CommandSpec debug = CommandLineSupport.debugMixin();

  @Parameters(index = "0", paramLabel = "SOURCE", description = "The row's source, as stored or in any equivalent form.")
  String source;

  /** Acts on the row stored under {@code key}; false when there is none there to act on. */
  abstract boolean act(TableOptions.Session session, String key);

  /** The line printed when it acted. */
  abstract String done(String table);

  /** The line printed when no key held a row to act on. */
  abstract String none(String table);

  @Override
  public Integer call() {
    try (TableOptions.Session session = where.open(ControllerCli.env())) {
      for (String key : TableCommand.candidates(source)) {
        if (act(session, key)) {
          spec.commandLine().getOut().println(done(session.table().name()));
          spec.commandLine().getOut().flush();
          return ControllerCli.OK;
        }
      }
      return CommandLineSupport.failure(spec.commandLine(), none(session.table().name()), null);
    }
  }

  /** {@code table delete SOURCE}. */
  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete the row of SOURCE.")
  static final class Delete extends TableRowCommand {
    @Override
    public ExitCodes.Meanings exitCodes() {
      return new ExitCodes.Meanings("deleted", "no such row, or the table could not be written",
          "bad usage: a missing SOURCE or an unknown option");
    }

    @Override
    boolean act(TableOptions.Session session, String key) {
      if (!session.table().delete(key)) {
        return false;
      }
      // A repository row's per-tag state goes with it (a single-image row has none: nothing is read back).
      var tagItems = session.tags().read(key).keySet();
      if (!tagItems.isEmpty()) {
        session.tags().write(key, List.of(), tagItems);
      }
      return true;
    }

    @Override
    String done(String table) {
      return "deleted " + source + " from table " + table;
    }

    @Override
    String none(String table) {
      return "no row for " + source + " in table " + table;
    }
  }

  /** {@code table retry SOURCE}. */
  @Command(name = "retry", mixinStandardHelpOptions = true,
      description = {"Let the next sync try SOURCE's row again at once: one that failed for good (failed, conflict)"
          + " at its source digest, or one waiting for its next attempt (retrying).",
          "Its attempt count starts over; the row keeps its status and LastError until that sync."})
  static final class Retry extends TableRowCommand {
    @Override
    public ExitCodes.Meanings exitCodes() {
      return new ExitCodes.Meanings("the row will be tried on the next sync",
          "no such row, a row that is not failed, conflict or retrying, or the table could not be written",
          "bad usage: a missing SOURCE or an unknown option");
    }

    @Override
    boolean act(TableOptions.Session session, String key) {
      return session.table().retry(key);
    }

    @Override
    String done(String table) {
      return source + " will be tried on the next sync";
    }

    @Override
    String none(String table) {
      return "no failed, conflict or retrying row for " + source + " in table " + table + " (see table list)";
    }
  }
}
