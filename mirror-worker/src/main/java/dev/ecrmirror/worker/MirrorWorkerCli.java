package dev.ecrmirror.worker;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecrmirror.common.Json;
import dev.ecrmirror.common.aws.EcrClients;
import dev.ecrmirror.common.cli.RegistryCliOptions;
import dev.ecrmirror.common.manifest.Platform;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.ref.InvalidReferenceException;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** The {@code mirror-worker} command: copy one image to one or more destinations. */
@Command(name = "mirror-worker", mixinStandardHelpOptions = true, version = "mirror-worker 0.1.0",
    sortOptions = false, usageHelpAutoWidth = true,
    description = {
        "Copies every platform of SOURCE, byte for byte (every digest preserved), to each DEST in one pass.",
        "Each source blob is read once and streamed to all destinations that lack it; blobs already present "
            + "are skipped and blobs on the same registry are mounted. A destination already at the source "
            + "digest is not touched. A DEST without a tag takes the source's tag.",
        ""},
    footerHeading = "%nExamples:%n",
    footer = {
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
        "  # a plain-HTTP registry on the LAN, result as JSON:",
        "  java -jar mirror-worker.jar --json --insecure-registry registry.lan:5000 \\",
        "      quay.io/org/tool:v1 registry.lan:5000/tool",
        "",
        "Exit codes:",
        "  0  every destination holds the source digest (or would, with --dry-run)",
        "  1  the source could not be read, or a destination failed (the others",
        "     were still done)",
        "  2  bad usage: an invalid reference, platform or option",
        "",
        "Logins: --auth-file, else $ECR_MIRROR_AUTH_JSON, else $DOCKER_CONFIG/config.json",
        "or ~/.docker/config.json. ECR registries get a token from the AWS credential",
        "chain, in the region named by the host."})
public final class MirrorWorkerCli implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "SOURCE", description = "The image to copy, e.g. alpine:3.20 or ghcr.io/org/app@sha256:…")
  String source;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "DEST",
      description = "Where to copy it; each DEST may be a comma-separated list.")
  List<String> destinations;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
      description = "Copy only these platforms of an index (repeatable). The index is then rewritten, so its digest changes.")
  List<String> platforms = new ArrayList<>();

  @Option(names = "--jobs", paramLabel = "N", defaultValue = "6",
      description = "Registry operations (blob checks, transfers, pushes) in flight at once. Default: ${DEFAULT-VALUE}.")
  int jobs;

  @Option(names = "--dry-run", description = "Say what would be copied; write nothing.")
  boolean dryRun;

  @Option(names = "--json", description = "Print the result as one JSON document instead of one line per destination.")
  boolean json;

  @Option(names = "--create-repository", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Create a missing ECR destination repository before pushing (default). "
          + "--no-create-repository leaves that to you; a push to a missing repository then fails.")
  boolean createRepository;

  @Option(names = "--read-timeout", paramLabel = "SECONDS", defaultValue = "120",
      description = "A blob download that receives nothing for this long is dropped and resumed "
          + "(a Range request where the registry supports it). Default: ${DEFAULT-VALUE}.")
  int readTimeoutSeconds;

  @Option(names = "--progress", paramLabel = "auto|live|log|none", defaultValue = "auto",
      description = "Progress while copying: live (one line redrawn on stderr), log (a log line every "
          + "--progress-interval), none. Default auto: live on a terminal, log otherwise.")
  String progressMode;

  @Option(names = "--progress-interval", paramLabel = "SECONDS", defaultValue = "30",
      description = "Seconds between progress log lines off a terminal. Default: ${DEFAULT-VALUE}.")
  int progressInterval;

  @Mixin
  RegistryCliOptions registry;

  @Spec
  CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line: usage errors print one line and exit 2. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new MirrorWorkerCli());
    cli.setParameterExceptionHandler((e, args) -> {
      e.getCommandLine().getErr().println("mirror-worker: " + e.getMessage() + " (see --help)");
      return 2;
    });
    cli.setExecutionExceptionHandler((e, command, parsed) -> {
      command.getErr().println("mirror-worker: " + e.getMessage());
      return e instanceof IllegalArgumentException ? 2 : 1;
    });
    return cli;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    MirrorRequest request;
    RegistryClient client;
    try {
      if (jobs < 1) {
        throw new IllegalArgumentException("--jobs must be at least 1, not " + jobs);
      }
      ImageReference src = parse("source", source);
      List<ImageReference> dests = new ArrayList<>();
      for (String arg : destinations) {
        for (String one : arg.split(",")) {
          if (!one.isBlank()) {
            dests.add(parse("destination", one.trim()));
          }
        }
      }
      if (dests.isEmpty()) {
        throw new IllegalArgumentException("no destination given");
      }
      List<Platform> selected = platforms.stream().flatMap(p -> List.of(p.split(",")).stream())
          .filter(p -> !p.isBlank()).map(Platform::parse).toList();
      request = new MirrorRequest(src, dests, selected, dryRun);
      client = new RegistryClient(registry.toRegistryOptions(System.getenv()));
    } catch (IllegalArgumentException e) {
      err.println("mirror-worker: " + e.getMessage());
      return 2;
    }
    MirrorReport report;
    Progress progress = new Progress();
    try (ProgressReporter reporter = reporter(progress, err)) {
      if (readTimeoutSeconds < 1) {
        throw new IllegalArgumentException("--read-timeout must be at least 1 second, not " + readTimeoutSeconds);
      }
      MirrorEngine engine = new MirrorEngine(client, jobs, registry.retryTimes())
          .withReadTimeout(Duration.ofSeconds(readTimeoutSeconds));
      if (createRepository && !dryRun) {
        engine = engine.withDestinationSetup(new EcrRepositorySetup(EcrClients.fromEnvironment(System.getenv())));
      }
      report = engine.mirror(request, progress);
    } catch (RegistryException e) {
      err.println("mirror-worker: cannot read source " + request.source() + ": " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException e) {
      err.println("mirror-worker: " + e.getMessage());
      return 2;
    }
    if (json) {
      out.println(toJson(report));
    } else {
      print(report, out);
    }
    out.flush();
    return report.allOk() ? 0 : 1;
  }

  private ProgressReporter reporter(Progress progress, PrintWriter err) {
    String mode = progressMode.toLowerCase(Locale.ROOT);
    if (mode.equals("auto")) {
      mode = isTerminal() ? "live" : "log";
    }
    return switch (mode) {
      case "live" -> ProgressReporter.live(progress, err);
      case "log" -> ProgressReporter.logging(progress, Duration.ofSeconds(Math.max(1, progressInterval)));
      case "none" -> null;
      default -> throw new IllegalArgumentException("--progress must be auto, live, log or none, not '" + progressMode + "'");
    };
  }

  /** True when stderr is an interactive terminal (JDK 22+ can tell; on 21 a console means one). */
  private static boolean isTerminal() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }

  private static ImageReference parse(String role, String value) {
    try {
      return ImageReference.parse(value);
    } catch (InvalidReferenceException e) {
      throw new IllegalArgumentException(role + ": " + e.getMessage(), e);
    }
  }

  private static void print(MirrorReport report, PrintWriter out) {
    out.println("source " + report.source() + " (" + shortType(report.mediaType()) + ")");
    if (report.indexRewritten()) {
      out.println("note: --platform rewrote the index: destinations get " + report.digest()
          + ", not the source digest " + report.source().digest().orElseThrow());
    }
    for (DestinationResult r : report.destinations()) {
      String status = r.status().name().toLowerCase(Locale.ROOT).replace('_', ' ');
      StringBuilder line = new StringBuilder(String.format("%-11s %s", status, r.destination()));
      r.digest().ifPresent(d -> line.append(' ').append(d));
      switch (r.status()) {
        case COPIED -> line.append(String.format(" blobs: %d uploaded, %d mounted, %d present; %s in %.1f s",
            r.blobsUploaded(), r.blobsMounted(), r.blobsPresent(), human(r.bytesUploaded()), r.elapsed().toMillis() / 1000.0));
        case FAILED -> line.append(": ").append(r.error().orElse("unknown error"));
        default -> { }
      }
      out.println(line);
    }
  }

  private static String shortType(String mediaType) {
    return mediaType.isEmpty() ? "unknown type" : mediaType;
  }

  static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  private static String toJson(MirrorReport report) {
    ObjectNode root = Json.mapper().createObjectNode();
    root.put("source", report.source().toString());
    root.put("digest", report.digest().toString());
    root.put("mediaType", report.mediaType());
    root.put("indexRewritten", report.indexRewritten());
    root.put("sourceBytesRead", report.sourceBytesRead());
    root.put("ok", report.allOk());
    ArrayNode dests = root.putArray("destinations");
    for (DestinationResult r : report.destinations()) {
      ObjectNode d = dests.addObject();
      d.put("destination", r.destination().toString());
      d.put("status", r.status().name().toLowerCase(Locale.ROOT));
      d.put("digest", r.digest().map(Object::toString).orElse(null));
      d.put("blobsUploaded", r.blobsUploaded());
      d.put("blobsMounted", r.blobsMounted());
      d.put("blobsPresent", r.blobsPresent());
      d.put("bytesUploaded", r.bytesUploaded());
      d.put("seconds", r.elapsed().toMillis() / 1000.0);
      d.put("error", r.error().orElse(null));
    }
    return root.toString();
  }
}
