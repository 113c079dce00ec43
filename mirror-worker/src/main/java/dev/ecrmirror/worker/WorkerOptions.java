package dev.ecrmirror.worker;

import dev.ecrmirror.common.cli.CommandLineSupport;
import dev.ecrmirror.common.cli.RegistryCliOptions;
import dev.ecrmirror.common.cli.TagRuleOptions;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The worker's arguments, options and help, built with picocli's programmatic API and holding the
 * values parsed. Not annotations: reading them makes the JDK generate a proxy class per annotation
 * type, which roughly doubles picocli's share of a run that finds nothing to copy.
 */
final class WorkerOptions {
  /** The {@code --pin} value that means no pins: the job definition's default for its {@code pin} parameter. */
  static final String NO_PINS = "none";

  private final PositionalParamSpec source = PositionalParamSpec.builder()
      .index("0").required(true).paramLabel("SOURCE").type(String.class)
      .description("The image to copy, e.g. alpine:3.20 or ghcr.io/org/app@sha256:…; with tag rules or "
          + "--pin, a repository (e.g. nginx, ghcr.io/org/app).")
      .build();

  private final PositionalParamSpec destinations = PositionalParamSpec.builder()
      .index("1..*").arity("1..*").required(true).paramLabel("DEST").type(List.class).auxiliaryTypes(String.class)
      .description("Where to copy it; each DEST may be a comma-separated list. With tag rules or a "
          + "repository SOURCE and --pin, repositories: each tag goes to the same tag in each.")
      .build();

  private final OptionSpec pins = OptionSpec.builder("--pin")
      .paramLabel("TAG@sha256:HEX[,...]").type(List.class).auxiliaryTypes(String.class)
      .description("Copy exactly these tags at these digests (repeatable, comma-separated; what the "
          + "controller's jobs pass). With a repository SOURCE, every tag named; with a tagged SOURCE, one pin "
          + "for its tag. A blank value or '" + NO_PINS + "' means no pins.")
      .build();

  private final OptionSpec platforms = OptionSpec.builder("--platform")
      .paramLabel("OS/ARCH[/VARIANT]").type(List.class).auxiliaryTypes(String.class)
      .description("Copy only these platforms of an index (repeatable). The index is then rewritten, so its digest changes.")
      .build();

  private final OptionSpec jobs = OptionSpec.builder("--jobs")
      .paramLabel("N").type(int.class).defaultValue("6")
      .description("Registry operations (blob checks, transfers, pushes) in flight at once. Default: ${DEFAULT-VALUE}.")
      .build();

  private final OptionSpec dryRun = OptionSpec.builder("--dry-run")
      .type(boolean.class).initialValue(false)
      .description("Say what would be copied; write nothing.")
      .build();

  private final OptionSpec json = OptionSpec.builder("--json")
      .type(boolean.class).initialValue(false)
      .description("Print the result as one JSON document instead of one line per destination.")
      .build();

  private final OptionSpec progressMode = OptionSpec.builder("--progress")
      .paramLabel("auto|live|log|none").type(String.class).defaultValue("auto")
      .description("Progress while copying: live (one line redrawn on stderr), log (a log line every "
          + "--progress-interval), none. Default auto: live on a terminal, log otherwise.")
      .build();

  private final OptionSpec progressInterval = OptionSpec.builder("--progress-interval")
      .paramLabel("SECONDS").type(int.class).defaultValue("30")
      .description("Seconds between progress log lines off a terminal. Default: ${DEFAULT-VALUE}.")
      .build();

  private final EngineCliOptions engine = new EngineCliOptions();

  private final DestinationPolicyOptions policy = new DestinationPolicyOptions();

  private final RegistryCliOptions registry = new RegistryCliOptions();

  private final TagRuleOptions rules = new TagRuleOptions();

  private final ReferrerCliOptions referrers = new ReferrerCliOptions();

  private final RunNoticeOptions notices = new RunNoticeOptions();

  /** The {@code mirror-worker} command, running {@code command} once these options are parsed. */
  CommandSpec commandSpec(Callable<Integer> command) {
    CommandSpec spec = CommandSpec.wrapWithoutInspection(command).name("mirror-worker").version("mirror-worker 0.1.0")
        .addPositional(source)
        .addPositional(destinations)
        .addOption(pins)
        .addMixin("rules", rules.mixin())
        .addOption(platforms)
        .addOption(jobs)
        .addOption(dryRun)
        .addOption(json)
        .addMixin("engine", engine.mixin())
        .addMixin("policy", policy.mixin())
        .addMixin("referrers", referrers.mixin())
        .addOption(progressMode)
        .addOption(progressInterval)
        .addMixin("notices", notices.mixin())
        .addMixin("registry", registry.mixin())
        .addMixin("debug", CommandLineSupport.debugMixin())
        .addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
            .description("Show this help message and exit.").build())
        .addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
            .description("Print version information and exit.").build());
    spec.usageMessage().sortOptions(false).autoWidth(true)
        .description(
            "Copies every platform of SOURCE, byte for byte (every digest preserved), to each DEST in one pass.",
            "With tag rules (--tags, --constraint, ...) SOURCE and each DEST are repositories: the source's tags "
                + "are listed, the rules select some, and each selected tag is pinned by digest and copied to the "
                + "same tag in every DEST, all in one pass that reads each distinct blob once.",
            "Each source blob is read once and streamed to all destinations that lack it; blobs already present "
                + "are skipped and blobs on the same registry are mounted. A destination already at the source "
                + "digest is not touched. A DEST without a tag takes the source's tag.",
            "")
        .footerHeading("%nExamples:%n")
        .footer(
            "  # Docker Hub to ECR (a DEST without a tag takes the source's tag):",
            "  java -jar mirror-worker.jar alpine:3.20 \\",
            "      123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/alpine",
            "  # one source read, two regions (comma-separated, as Batch passes Ref::dest):",
            "  java -jar mirror-worker.jar postgres:16 \\",
            "      111111111111.dkr.ecr.us-east-1.amazonaws.com/pg:16,\\",
            "      111111111111.dkr.ecr.eu-west-1.amazonaws.com/pg:16",
            "  # only arm64, and only say what would be copied:",
            "  java -jar mirror-worker.jar --platform linux/arm64 --dry-run \\",
            "      ghcr.io/org/app:1.2 localhost:5000/app",
            "  # the three newest nginx releases from 1.25 on, every platform:",
            "  java -jar mirror-worker.jar --constraint '>= 1.25' --max-results 3 \\",
            "      nginx 123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/nginx",
            "  # a digest-pinned source to a tag of your own; a prefix DEST ('/') takes the",
            "  # source's path (here mirror/docker.io/library/busybox); never move a tag:",
            "  java -jar mirror-worker.jar --existing-tags keep busybox@sha256:… \\",
            "      123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/busybox:1.32.0-v1,\\",
            "      123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/",
            "  # what a job does: exactly these tags at these digests:",
            "  java -jar mirror-worker.jar --pin 1.27.3@sha256:…,1.27.4@sha256:… \\",
            "      nginx 123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/nginx",
            "  # a plain-HTTP registry on the LAN, result as JSON:",
            "  java -jar mirror-worker.jar --json --insecure-registry registry.lan:5000 \\",
            "      quay.io/org/tool:v1 registry.lan:5000/tool",
            "",
            "Logins: --auth-file, else $ECR_MIRROR_AUTH_JSON, else $DOCKER_CONFIG/config.json",
            "or ~/.docker/config.json. ECR registries get a token from the AWS credential",
            "chain, in the region named by the host.");
    return spec;
  }

  String source() {
    return source.getValue();
  }

  List<String> destinations() {
    return destinations.getValue();
  }

  /** The {@code --pin} values as given; empty when there are none. */
  List<String> pins() {
    List<String> given = pins.getValue();
    return given == null ? List.of() : given;
  }

  TagRuleOptions rules() {
    return rules;
  }

  /** The {@code --platform} values as given; empty when there are none. */
  List<String> platforms() {
    List<String> given = platforms.getValue();
    return given == null ? List.of() : given;
  }

  int jobs() {
    return jobs.getValue();
  }

  boolean dryRun() {
    return dryRun.getValue();
  }

  boolean json() {
    return json.getValue();
  }

  RunNoticeOptions notices() {
    return notices;
  }

  ReferrerCliOptions referrers() {
    return referrers;
  }

  EngineCliOptions engine() {
    return engine;
  }

  DestinationPolicyOptions policy() {
    return policy;
  }

  String progressMode() {
    return progressMode.getValue();
  }

  int progressInterval() {
    return progressInterval.getValue();
  }

  RegistryCliOptions registry() {
    return registry;
  }
}
