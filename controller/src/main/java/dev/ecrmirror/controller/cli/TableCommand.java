package dev.ecrmirror.controller.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecrmirror.common.cli.ArgumentLists;
import dev.ecrmirror.common.cli.CommandLineSupport;
import dev.ecrmirror.common.cli.ExitCodes;
import dev.ecrmirror.common.manifest.Platform;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.ref.InvalidReferenceException;
import dev.ecrmirror.controller.table.Attributes;
import dev.ecrmirror.controller.table.Destination;
import dev.ecrmirror.controller.table.InvalidRow;
import dev.ecrmirror.controller.table.MirrorRow;
import dev.ecrmirror.controller.table.ParsedRow;
import dev.ecrmirror.controller.table.RowState;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code table put|list|delete}: edits and shows the mirror table. */
@Command(name = "table", mixinStandardHelpOptions = true, description = "Edit and show the mirror table.",
    subcommands = {TableCommand.Put.class, TableCommand.ListRows.class, TableCommand.Delete.class})
final class TableCommand implements Callable<Integer>, ExitCodes.Documented {
  @Spec
  CommandSpec spec;

  @Mixin
  CommandSpec debug = CommandLineSupport.debugMixin();

  @Override
  public Integer call() {
    return CommandLineSupport.usageError(spec.commandLine(), "no command given: choose one of "
        + String.join(", ", spec.subcommands().keySet()));
  }

  @Override
  public ExitCodes.Meanings exitCodes() {
    return ControllerCli.GROUP_EXIT_CODES;
  }

  /** {@code table put SOURCE DEST[,DEST...] [DEST...]}. */
  @Command(name = "put", mixinStandardHelpOptions = true,
      description = "Add or replace a row: copy SOURCE to every DEST. Status attributes and attributes "
          + "the controller does not know are kept.")
  static final class Put implements Callable<Integer>, ExitCodes.Documented {
    @Spec
    CommandSpec spec;

    @Mixin
    TableOptions where;

    @Mixin
    CommandSpec debug = CommandLineSupport.debugMixin();

    @Parameters(index = "0", paramLabel = "SOURCE", description = "The image to copy, e.g. docker.io/library/alpine:3.20.")
    String source;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "DEST",
        description = "Where to copy it; each may be comma-separated. A DEST without tag takes the source's tag.")
    List<String> destinations;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
        description = "Copy only this platform of an index (repeatable; comma-separated also works). "
            + "Default: all platforms, byte for byte.")
    List<String> platforms = new ArrayList<>();

    @Option(names = "--disabled", description = "Write the row with Enabled=false (kept, never synced).")
    boolean disabled;

    @Override
    public ExitCodes.Meanings exitCodes() {
      return new ExitCodes.Meanings("written", "the table could not be written",
          "bad usage: an invalid reference, platform or option; nothing was written");
    }

    @Override
    public Integer call() {
      ImageReference src = parse("source", source);
      List<String> dests = new ArrayList<>();
      for (String d : ArgumentLists.splitAll("DEST", destinations)) {
        Destination destination;
        try {
          destination = Destination.of(d, src);
        } catch (InvalidReferenceException e) {
          throw new UsageException("destination: " + e.getMessage());
        }
        if (destination.target().equals(src)) {
          throw new UsageException("destination '" + d + "' is the source itself");
        }
        if (!dests.contains(d)) {
          dests.add(d);
        }
      }
      List<String> selected = new ArrayList<>();
      for (String p : ArgumentLists.splitAll("--platform", platforms)) {
        try {
          selected.add(Platform.parse(p).toString());
        } catch (IllegalArgumentException e) {
          throw new UsageException(e.getMessage());
        }
      }
      try (TableOptions.Session session = where.open(ControllerCli.env())) {
        String key = src.toString();
        session.table().putDefinition(key, dests, selected, disabled ? Optional.of(false) : Optional.empty());
        PrintWriter out = spec.commandLine().getOut();
        out.println("put " + key + " -> " + String.join(", ", dests)
            + (selected.isEmpty() ? "" : " (platforms " + String.join(",", selected) + ")")
            + (disabled ? " (disabled)" : "") + " in table " + session.table().name());
        out.flush();
      }
      return ControllerCli.OK;
    }
  }

  /** {@code table list [--json]}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "Show every row and its status.")
  static final class ListRows implements Callable<Integer>, ExitCodes.Documented {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Mixin
    TableOptions where;

    @Mixin
    ScanOptions scan;

    @Mixin
    CommandSpec debug = CommandLineSupport.debugMixin();

    @Option(names = "--json", description = "One JSON object per line per row.")
    boolean json;

    @Override
    public ExitCodes.Meanings exitCodes() {
      return new ExitCodes.Meanings("listed", "the table could not be read", "bad usage: an unknown or invalid option");
    }

    @Override
    public Integer call() throws Exception {
      int segments = scan.segments();
      try (TableOptions.Session session = where.open(ControllerCli.env())) {
        List<ParsedRow> rows = new ArrayList<>(session.table().scan(segments));
        rows.sort(Comparator.comparing(ParsedRow::key));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          for (ParsedRow row : rows) {
            out.println(JSON.writeValueAsString(toJson(row)));
          }
          out.flush();
          return ControllerCli.OK;
        }
        TextTable table = new TextTable("SOURCE", "DESTINATIONS", "STATUS", "SOURCE DIGEST", "CHECKED", "NOTE");
        for (ParsedRow row : rows) {
          RowState s = row.state();
          String status = row instanceof InvalidRow ? "invalid" : s.status().map(Object::toString).orElse("new");
          if (row instanceof MirrorRow m && !m.enabled()) {
            status = "disabled";
          }
          String note = row instanceof InvalidRow i ? i.reason()
              : s.lastError().or(() -> s.jobId().map(j -> "job " + j)).orElse("");
          table.add(row.key(), destinations(row), status,
              s.sourceDigest().map(d -> d.substring(d.indexOf(':') + 1, Math.min(d.length(), d.indexOf(':') + 13))).orElse(""),
              s.checkedAt().map(Object::toString).orElse(""), note);
        }
        table.print(out);
        out.println(rows.size() + " row(s) in table " + session.table().name());
        out.flush();
      }
      return ControllerCli.OK;
    }

    private static String destinations(ParsedRow row) {
      if (row instanceof MirrorRow m) {
        return m.destinations().stream().map(Destination::written).collect(Collectors.joining(","));
      }
      var d = row.item().get(Attributes.DESTINATION);
      return d == null ? "" : d.s() != null ? d.s() : d.hasSs() ? String.join(",", d.ss()) : d.toString();
    }

    private static ObjectNode toJson(ParsedRow row) {
      ObjectNode o = JSON.createObjectNode();
      RowState s = row.state();
      o.put("Source", row.key());
      ArrayNode dests = o.putArray("Destination");
      if (row instanceof MirrorRow m) {
        m.destinations().forEach(d -> dests.add(d.written()));
        ArrayNode p = o.putArray("Platforms");
        m.platforms().forEach(x -> p.add(x.toString()));
        o.put("Enabled", m.enabled());
      } else {
        dests.add(destinations(row));
      }
      String status = row instanceof InvalidRow ? "invalid" : s.status().map(Object::toString).orElse(null);
      o.put(Attributes.STATUS, status);
      if (row instanceof InvalidRow i) {
        o.put("Problem", i.reason());
      }
      s.sourceDigest().ifPresent(v -> o.put(Attributes.SOURCE_DIGEST, v));
      ObjectNode digests = o.putObject(Attributes.DESTINATION_DIGESTS);
      s.destinationDigests().forEach(digests::put);
      s.checkedAt().ifPresent(v -> o.put(Attributes.CHECKED_AT, v.toString()));
      s.mirroredAt().ifPresent(v -> o.put(Attributes.MIRRORED_AT, v.toString()));
      s.jobId().ifPresent(v -> o.put(Attributes.JOB_ID, v));
      s.lastError().ifPresent(v -> o.put(Attributes.LAST_ERROR, v));
      return o;
    }
  }

  /** {@code table delete SOURCE}. */
  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete the row of SOURCE.")
  static final class Delete implements Callable<Integer>, ExitCodes.Documented {
    @Spec
    CommandSpec spec;

    @Mixin
    TableOptions where;

    @Mixin
    CommandSpec debug = CommandLineSupport.debugMixin();

    @Override
    public ExitCodes.Meanings exitCodes() {
      return new ExitCodes.Meanings("deleted", "no such row, or the table could not be written",
          "bad usage: a missing SOURCE or an unknown option");
    }

    @Parameters(index = "0", paramLabel = "SOURCE", description = "The row's source, as stored or in any equivalent form.")
    String source;

    @Override
    public Integer call() {
      try (TableOptions.Session session = where.open(ControllerCli.env())) {
        boolean deleted = session.table().delete(source);
        if (!deleted) {
          try {
            String normalized = ImageReference.parse(source).toString();
            deleted = !normalized.equals(source) && session.table().delete(normalized);
          } catch (InvalidReferenceException e) {
            // Not a reference: only the exact key could match, and it did not.
          }
        }
        if (!deleted) {
          return CommandLineSupport.failure(spec.commandLine(), "no row for " + source + " in table "
              + session.table().name(), null);
        }
        spec.commandLine().getOut().println("deleted " + source + " from table " + session.table().name());
        spec.commandLine().getOut().flush();
      }
      return ControllerCli.OK;
    }
  }

  static ImageReference parse(String what, String value) {
    try {
      return ImageReference.parse(value);
    } catch (InvalidReferenceException e) {
      throw new UsageException(what + ": " + e.getMessage());
    }
  }
}
