package dev.ecrmirror.controller.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecrmirror.common.ExistingTags;
import dev.ecrmirror.common.Json;
import dev.ecrmirror.common.aws.RepositorySettings;
import dev.ecrmirror.common.cli.ArgumentLists;
import dev.ecrmirror.common.cli.CommandLineSupport;
import dev.ecrmirror.common.cli.ExitCodes;
import dev.ecrmirror.common.cli.TagRuleOptions;
import dev.ecrmirror.common.manifest.Platform;
import dev.ecrmirror.common.ref.DestinationPrefix;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.ref.InvalidReferenceException;
import dev.ecrmirror.common.tags.RuleSpec;
import dev.ecrmirror.controller.settings.SettingsCheck;
import dev.ecrmirror.controller.table.Attributes;
import dev.ecrmirror.controller.table.Destination;
import dev.ecrmirror.controller.table.InvalidRow;
import dev.ecrmirror.controller.table.MirrorRow;
import dev.ecrmirror.controller.table.ParsedRow;
import dev.ecrmirror.controller.table.RowParser;
import dev.ecrmirror.controller.table.RowState;
import dev.ecrmirror.controller.table.TagState;
import dev.ecrmirror.controller.table.TagSummary;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
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
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** {@code table put|list|delete}: edits and shows the mirror table. */
@Command(name = "table", mixinStandardHelpOptions = true, description = "Edit and show the mirror table.",
    subcommands = {TableCommand.Put.class, TableCommand.ListRows.class, TableCommand.Delete.class,
        TableCommand.Retry.class})
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

  /** {@code table put [RULES] SOURCE[#LABEL] DEST[,DEST...] [DEST...]}. */
  @Command(name = "put", mixinStandardHelpOptions = true,
      description = {"Add or replace a row: copy SOURCE to every DEST. Status attributes and attributes "
          + "the controller does not know are kept.",
          "With any tag rule (--tags, --exclude-tags, --constraint, --include-prereleases, --exclude-prereleases, "
          + "--release-only, --max-results) the row is a repository row: SOURCE and each DEST name repositories "
          + "(no tag), and every tag the rules select is mirrored to the same tag. Rule attributes not given are removed.",
          "SOURCE#LABEL gives one source several rows (two rule sets to different destinations, say)."})
  static final class Put implements Callable<Integer>, ExitCodes.Documented {
    @Spec
    CommandSpec spec;

    @Mixin
    TableOptions where;

    @Mixin
    CommandSpec debug = CommandLineSupport.debugMixin();

    final TagRuleOptions tagRules = new TagRuleOptions();

    @Mixin
    CommandSpec ruleOptions = tagRules.mixin();

    @Parameters(index = "0", paramLabel = "SOURCE",
        description = "The image to copy, e.g. docker.io/library/alpine:3.20; a repository with tag rules; may end in #LABEL.")
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

    @Option(names = "--existing-tags", paramLabel = "overwrite|keep|backup",
        description = "A destination tag holding another digest: overwrite it (default); keep it (the row ends "
            + "conflict, nothing written); backup: tag the old digest TAG-backup-TIME first. Stored as ExistingTags.")
    String existingTags;

    @Option(names = "--prefix-keeps-registry", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "A DEST ending in '/' is a prefix: the repository is the prefix, the source's registry and its "
            + "path (default); --no-prefix-keeps-registry drops the registry. Stored as PrefixKeepsRegistry=false.")
    boolean prefixKeepsRegistry = true;

    @Option(names = "--repository-settings", paramLabel = "JSON",
        description = "Settings of the ECR repositories the worker creates for this row's destinations, stored as "
            + "RepositorySettings and laid over the deployment's: the worker's --repository-settings JSON, e.g. "
            + "'{\"mode\":\"refresh\"}' or '{\"scanOnPush\":true,\"encryption\":\"KMS\",\"kmsKey\":\"arn:aws:kms:…\"}'. "
            + "none removes them. Default: the row's settings are kept.")
    String repositorySettings;

    @Override
    public ExitCodes.Meanings exitCodes() {
      return new ExitCodes.Meanings("written", "the table could not be written",
          "bad usage: an invalid reference, platform, tag rule or option; nothing was written");
    }

    @Override
    public Integer call() {
      RuleSpec ruleSpec = tagRules.toSpec();
      boolean repository = !ruleSpec.isEmpty();
      int hash = source.indexOf('#');
      String label = hash < 0 ? "" : source.substring(hash);
      if (label.equals("#")) {
        throw new UsageException("source '" + source + "' has an empty label after '#': write SOURCE or SOURCE#LABEL");
      }
      ImageReference src = parse("source", hash < 0 ? source : source.substring(0, hash));
      if (repository && !src.isBare()) {
        throw new UsageException("source '" + source + "' names a " + (src.digest().isPresent() ? "digest" : "tag")
            + ", but tag rules mirror a whole repository: drop the " + (src.digest().isPresent() ? "digest" : "tag")
            + ", or the rules");
      }
      Map<String, AttributeValue> policy = policyAttributes();
      List<String> dests = new ArrayList<>();
      for (String d : ArgumentLists.splitAll("DEST", destinations)) {
        Destination destination;
        try {
          String resolved = DestinationPrefix.resolve(d, src, prefixKeepsRegistry);
          destination = repository ? Destination.ofRepository(resolved) : Destination.of(resolved, src);
        } catch (InvalidReferenceException e) {
          throw new UsageException("destination: " + e.getMessage());
        }
        if (repository ? destination.target().sameRepository(src) : destination.target().equals(src)) {
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
      // A repository row is keyed by the bare repository: no :latest defaulting.
      String key = (repository ? src.name() : src.toString()) + label;
      Map<String, AttributeValue> ruleAttributes = ruleAttributes(ruleSpec);
      // Checked with the parser the sync uses, so a row put here is never invalid there.
      Map<String, AttributeValue> item = new HashMap<>(ruleAttributes);
      item.putAll(policy);
      item.put(Attributes.SOURCE, AttributeValue.fromS(key));
      item.put(Attributes.DESTINATION, AttributeValue.fromS(String.join(",", dests)));
      if (!selected.isEmpty()) {
        item.put(Attributes.PLATFORMS, AttributeValue.fromS(String.join(",", selected)));
      }
      String settingsJson = null;
      if (repositorySettings != null) {
        RepositorySettings parsed;
        try {
          parsed = RepositorySettings.parse("--repository-settings", repositorySettings);
        } catch (IllegalArgumentException e) {
          throw new UsageException(e.getMessage());
        }
        settingsJson = parsed.isEmpty() ? "" : parsed.toJson();
        if (!settingsJson.isEmpty()) {
          item.put(Attributes.REPOSITORY_SETTINGS, AttributeValue.fromS(settingsJson));
        }
      }
      if (RowParser.parse(item) instanceof InvalidRow invalid) {
        throw new UsageException(invalid.reason());
      }
      try (TableOptions.Session session = where.open(ControllerCli.env())) {
        Map<String, AttributeValue> written = new LinkedHashMap<>(ruleAttributes);
        written.putAll(policy);
        session.table().putDefinition(key, dests, selected, disabled ? Optional.of(false) : Optional.empty(), written);
        if (settingsJson != null) {
          session.table().putRepositorySettings(key, settingsJson);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("put " + key + " -> " + String.join(", ", dests)
            + (ruleAttributes.isEmpty() ? "" : " (rules " + describe(ruleAttributes) + ")")
            + (policy.isEmpty() ? "" : " (" + describe(policy) + ")")
            + (selected.isEmpty() ? "" : " (platforms " + String.join(",", selected) + ")")
            + (disabled ? " (disabled)" : "")
            + (settingsJson == null || settingsJson.isEmpty() ? "" : " (repository settings " + settingsJson + ")")
            + " in table " + session.table().name());
        out.flush();
      }
      return ControllerCli.OK;
    }

    /** The destination-policy attributes to store: only those that differ from the defaults. */
    private Map<String, AttributeValue> policyAttributes() {
      Map<String, AttributeValue> out = new LinkedHashMap<>();
      if (existingTags != null) {
        ExistingTags policy;
        try {
          policy = ExistingTags.parse("--existing-tags", existingTags);
        } catch (IllegalArgumentException e) {
          throw new UsageException(e.getMessage());
        }
        if (policy != ExistingTags.OVERWRITE) {
          out.put(Attributes.EXISTING_TAGS, AttributeValue.fromS(policy.word()));
        }
      }
      if (!prefixKeepsRegistry) {
        out.put(Attributes.PREFIX_KEEPS_REGISTRY, AttributeValue.fromBool(false));
      }
      return out;
    }

    /** The rule attributes to store: lists as one comma-joined string, ReleaseOnly a bool, MaxResults a number. */
    static Map<String, AttributeValue> ruleAttributes(RuleSpec spec) {
      Map<String, AttributeValue> out = new LinkedHashMap<>();
      if (!spec.tags().isEmpty()) {
        out.put(Attributes.TAGS, AttributeValue.fromS(String.join(",", spec.tags())));
      }
      if (!spec.excludeTags().isEmpty()) {
        out.put(Attributes.EXCLUDE_TAGS, AttributeValue.fromS(String.join(",", spec.excludeTags())));
      }
      spec.constraint().ifPresent(c -> out.put(Attributes.CONSTRAINT, AttributeValue.fromS(c)));
      if (!spec.includePrereleases().isEmpty()) {
        out.put(Attributes.INCLUDE_PRERELEASES, AttributeValue.fromS(String.join(",", spec.includePrereleases())));
      }
      if (!spec.excludePrereleases().isEmpty()) {
        out.put(Attributes.EXCLUDE_PRERELEASES, AttributeValue.fromS(String.join(",", spec.excludePrereleases())));
      }
      if (spec.releaseOnly()) {
        out.put(Attributes.RELEASE_ONLY, AttributeValue.fromBool(true));
      }
      spec.maxResults().ifPresent(n -> out.put(Attributes.MAX_RESULTS, AttributeValue.fromN(Integer.toString(n))));
      return out;
    }

    private static String describe(Map<String, AttributeValue> rules) {
      return rules.entrySet().stream().map(e -> e.getKey() + "=" + (e.getValue().s() != null ? e.getValue().s()
          : e.getValue().n() != null ? e.getValue().n() : e.getValue().bool())).collect(Collectors.joining(" "));
    }
  }

  /** {@code table list [--json] [--check-settings]}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = {"Show every row and its status.",
      "With --check-settings, also where existing ECR destination repositories differ from the rows' repository "
          + "settings (they are never changed)."})
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

  /** A command on the one row SOURCE names, stored under any of the keys {@link #candidates} gives. */
  abstract static class OneRow implements Callable<Integer>, ExitCodes.Documented {
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
        for (String key : candidates(source)) {
          if (act(session, key)) {
            spec.commandLine().getOut().println(done(session.table().name()));
            spec.commandLine().getOut().flush();
            return ControllerCli.OK;
          }
        }
        return CommandLineSupport.failure(spec.commandLine(), none(session.table().name()), null);
      }
    }
  }

  /** {@code table delete SOURCE}. */
  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete the row of SOURCE.")
  static final class Delete extends OneRow {
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
  static final class Retry extends OneRow {
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

  /**
   * The keys a row given as {@code source} may be stored under: exactly as given, normalized
   * ({@code nginx:1} → {@code docker.io/library/nginx:1}), and for a bare repository without the
   * {@code :latest} a repository row's key does not carry; a {@code #LABEL} is kept.
   */
  static List<String> candidates(String source) {
    List<String> keys = new ArrayList<>(List.of(source));
    int hash = source.indexOf('#');
    String label = hash < 0 ? "" : source.substring(hash);
    try {
      ImageReference ref = ImageReference.parse(hash < 0 ? source : source.substring(0, hash));
      List<String> forms = ref.isBare() ? List.of(ref.name() + label, ref + label) : List.of(ref + label);
      forms.stream().filter(k -> !keys.contains(k)).forEach(keys::add);
    } catch (InvalidReferenceException e) {
      // Not a reference: only the exact key can match.
    }
    return keys;
  }

  static ImageReference parse(String what, String value) {
    try {
      return ImageReference.parse(value);
    } catch (InvalidReferenceException e) {
      throw new UsageException(what + ": " + e.getMessage());
    }
  }
}
