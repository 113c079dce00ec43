package dev.ecrmirror.controller.cli;

import dev.ecrmirror.common.ExistingTags;
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
import dev.ecrmirror.controller.table.Attributes;
import dev.ecrmirror.controller.table.Destination;
import dev.ecrmirror.controller.table.InvalidRow;
import dev.ecrmirror.controller.table.RowParser;
import java.io.PrintWriter;
import java.util.ArrayList;
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

/** {@code table put [RULES] SOURCE[#LABEL] DEST[,DEST...] [DEST...]}. */
@Command(name = "put", mixinStandardHelpOptions = true,
    description = {"Add or replace a row: copy SOURCE to every DEST. Status attributes and attributes "
        + "the controller does not know are kept.",
        "With any tag rule (--tags, --exclude-tags, --constraint, --include-prereleases, --exclude-prereleases, "
        + "--release-only, --max-results) the row is a repository row: SOURCE and each DEST name repositories "
        + "(no tag), and every tag the rules select is mirrored to the same tag. Rule attributes not given are removed.",
        "SOURCE#LABEL gives one source several rows (two rule sets to different destinations, say)."})
final class TablePut implements Callable<Integer>, ExitCodes.Documented {
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
    ImageReference src = TableCommand.parse("source", hash < 0 ? source : source.substring(0, hash));
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
      session.table().putDefinition(key, dests, selected, disabled ? Optional.of(false) : Optional.empty(), written,
          Optional.ofNullable(settingsJson));
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
