package dev.ecrmirror.controller.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecrmirror.common.ExistingTags;
import dev.ecrmirror.common.Json;
import dev.ecrmirror.common.cli.CommandLineSupport;
import dev.ecrmirror.common.cli.ExitCodes;
import dev.ecrmirror.controller.settings.SettingsCheck;
import dev.ecrmirror.controller.table.Attributes;
import dev.ecrmirror.controller.table.Destination;
import dev.ecrmirror.controller.table.InvalidRow;
import dev.ecrmirror.controller.table.MirrorRow;
import dev.ecrmirror.controller.table.ParsedRow;
import dev.ecrmirror.controller.table.RowState;
import dev.ecrmirror.controller.table.TagState;
import dev.ecrmirror.controller.table.TagSummary;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code table list [--json] [--check-settings]}. */
@Command(name = "list", mixinStandardHelpOptions = true, description = {"Show every row and its status.",
    "With --check-settings, also where existing ECR destination repositories differ from the rows' repository "
        + "settings (they are never changed)."})
final class TableList implements Callable<Integer>, ExitCodes.Documented {
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

  @Mixin
  SettingsCheckOptions settings;

  @Override
  public ExitCodes.Meanings exitCodes() {
    return new ExitCodes.Meanings("listed", "the table could not be read", "bad usage: an unknown or invalid option");
  }

  @Override
  public Integer call() throws Exception {
    int segments = scan.segments();
    Map<String, String> env = ControllerCli.env();
    settings.validate(env);
    try (TableOptions.Session session = where.open(env, settings.endpoints())) {
      Optional<SettingsCheck> check = settings.check(session.clients(), env);
      List<ParsedRow> rows = new ArrayList<>(session.table().scan(segments));
      rows.sort(Comparator.comparing(ParsedRow::key));
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        for (ParsedRow row : rows) {
          ObjectNode o = toJson(row);
          if (row instanceof MirrorRow m && m.isRepository()) {
            addTags(o, session.tags().read(m.key()).values());
          }
          Map<String, List<String>> differ = settingsDiffer(check, row);
          if (!differ.isEmpty()) {
            ObjectNode d = o.putObject("SettingsDiffer");
            differ.forEach((dest, lines) -> lines.forEach(d.putArray(dest)::add));
          }
          out.println(JSON.writeValueAsString(o));
        }
        out.flush();
        warnUnreachable(check);
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
        Optional<TagSummary> summary = TagSummary.read(row.item());
        if (row instanceof MirrorRow m && m.isRepository() && summary.isPresent()) {
          // A repository row on one line: its counts, then what went wrong or which job runs.
          note = summary.get() + (note.isEmpty() ? "" : "; " + note);
        }
        String differ = settingsNote(settingsDiffer(check, row));
        if (!differ.isEmpty()) {
          note = note.isEmpty() ? differ : note + "; " + differ;
        }
        table.add(row.key(), destinations(row), status,
            s.sourceDigest().map(d -> d.substring(d.indexOf(':') + 1, Math.min(d.length(), d.indexOf(':') + 13))).orElse(""),
            s.checkedAt().map(Object::toString).orElse(""), note);
      }
      table.print(out);
      out.println(rows.size() + " row(s) in table " + session.table().name());
      out.flush();
      warnUnreachable(check);
    }
    return ControllerCli.OK;
  }

  /** With --check-settings, the row's destinations whose existing repository differs from its settings. */
  private static Map<String, List<String>> settingsDiffer(Optional<SettingsCheck> check, ParsedRow row) {
    return check.isPresent() && row instanceof MirrorRow m ? check.get().differences(m) : Map.of();
  }

  /** The listing's note: {@code settings differ: a; b}, naming each destination when several differ. */
  static String settingsNote(Map<String, List<String>> differ) {
    if (differ.size() == 1) {
      return "settings differ: " + String.join("; ", differ.values().iterator().next());
    }
    return differ.entrySet().stream().map(e -> "settings differ at " + e.getKey() + ": " + String.join("; ", e.getValue()))
        .collect(Collectors.joining("; "));
  }

  /** One line per registry the settings check could not ask: the listing itself went on. */
  private void warnUnreachable(Optional<SettingsCheck> check) {
    PrintWriter err = spec.commandLine().getErr();
    check.ifPresent(c -> c.unreachable().forEach((registry, why) ->
        err.println("warning: cannot check the repository settings of registry " + registry + ": " + why)));
    err.flush();
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
    if (row instanceof MirrorRow m && m.existingTags() != ExistingTags.OVERWRITE) {
      o.put(Attributes.EXISTING_TAGS, m.existingTags().word());
    }
    s.sourceDigest().ifPresent(v -> o.put(Attributes.SOURCE_DIGEST, v));
    ObjectNode digests = o.putObject(Attributes.DESTINATION_DIGESTS);
    s.destinationDigests().forEach(digests::put);
    s.checkedAt().ifPresent(v -> o.put(Attributes.CHECKED_AT, v.toString()));
    s.mirroredAt().ifPresent(v -> o.put(Attributes.MIRRORED_AT, v.toString()));
    s.jobId().ifPresent(v -> o.put(Attributes.JOB_ID, v));
    s.lastError().ifPresent(v -> o.put(Attributes.LAST_ERROR, v));
    if (!s.destinationErrors().isEmpty()) {
      ObjectNode errors = o.putObject(Attributes.DESTINATION_ERRORS);
      s.destinationErrors().forEach(errors::put);
    }
    if (s.attempts() > 0) {
      o.put(Attributes.ATTEMPTS, s.attempts());
    }
    s.nextAttemptAt().ifPresent(v -> o.put(Attributes.NEXT_ATTEMPT_AT, v.toString()));
    if (row instanceof MirrorRow m && !m.repositorySettings().isEmpty()) {
      try {
        o.set(Attributes.REPOSITORY_SETTINGS, Json.readTree(m.repositorySettings().toJson()));
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }
    if (row instanceof MirrorRow m && m.isRepository()) {
      ObjectNode rules = o.putObject("Rules");
      for (String attribute : Attributes.RULES) {
        var v = row.item().get(attribute);
        if (v != null) {
          if (v.bool() != null) {
            rules.put(attribute, v.bool());
          } else if (v.n() != null) {
            rules.put(attribute, Long.parseLong(v.n()));
          } else {
            rules.put(attribute, v.s() != null ? v.s() : v.hasSs() ? String.join(",", v.ss()) : v.toString());
          }
        }
      }
      TagSummary.read(row.item()).ifPresent(t -> {
        o.put(Attributes.TAGS_SELECTED, t.selected()).put(Attributes.TAGS_IN_SYNC, t.inSync())
            .put(Attributes.TAGS_DRIFTED, t.drifted()).put(Attributes.TAGS_FAILED, t.failed());
        ObjectNode failed = o.putObject(Attributes.FAILED_TAGS);
        t.failedTags().forEach(failed::put);
        if (t.omitted() > 0) {
          o.put(Attributes.FAILED_TAGS_OMITTED, t.omitted());
        }
      });
    }
    return o;
  }

  /** The per-tag detail of a repository row, from the tag table, in tag order. */
  private static void addTags(ObjectNode o, Collection<TagState> tags) {
    ArrayNode array = o.putArray("Tags");
    tags.stream().sorted(Comparator.comparing(TagState::tag)).forEach(t -> {
      ObjectNode tag = array.addObject();
      tag.put(Attributes.TAG, t.tag()).put(Attributes.STATUS, t.status().label());
      t.sourceDigest().ifPresent(v -> tag.put(Attributes.SOURCE_DIGEST, v));
      ObjectNode digests = tag.putObject(Attributes.DESTINATION_DIGESTS);
      new java.util.TreeMap<>(t.destinationDigests()).forEach(digests::put);
      t.lastError().ifPresent(v -> tag.put(Attributes.LAST_ERROR, v));
      t.jobId().ifPresent(v -> tag.put(Attributes.JOB_ID, v));
      t.changedAt().ifPresent(v -> tag.put(Attributes.CHANGED_AT, v.toString()));
    });
  }
}
