package dev.ecrmirror.worker;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecrmirror.common.Json;
import dev.ecrmirror.common.aws.EcrClients;
import dev.ecrmirror.common.cli.ArgumentLists;
import dev.ecrmirror.common.cli.CommandLineSupport;
import dev.ecrmirror.common.cli.ExitCodes;
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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine;

/** The {@code mirror-worker} command: copy one image to one or more destinations. */
public final class MirrorWorkerCli implements Callable<Integer>, ExitCodes.Documented {
  private static final String CONVERTER_EXCLUDES = "picocli.converters.excludes";
  private final WorkerOptions options = new WorkerOptions();
  private final CommandSpec spec = options.commandSpec(this);

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line: usage errors print one line and exit 2. */
  public static CommandLine commandLine() {
    // No option takes a date, time or SQL type: picocli need not look up converters for them, which
    // loads the java.sql module and the java.time formatters on every run.
    if (System.getProperty(CONVERTER_EXCLUDES) == null) {
      System.setProperty(CONVERTER_EXCLUDES, "java\\.sql\\..*,java\\.time\\..*");
    }
    return CommandLineSupport.configure(new CommandLine(new MirrorWorkerCli().spec));
  }

  @Override
  public ExitCodes.Meanings exitCodes() {
    return new ExitCodes.Meanings("every destination holds the source digest (or would, with --dry-run)",
        "the source could not be read, or a destination failed (the others were still done)",
        "bad usage: an invalid reference, platform or option; nothing was copied");
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int jobs = options.jobs();
    MirrorRequest request;
    RegistryClient client;
    try {
      if (jobs < 1) {
        throw new IllegalArgumentException("--jobs must be at least 1, not " + jobs);
      }
      ImageReference src = parse("source", options.source());
      List<ImageReference> dests = new ArrayList<>();
      for (String one : ArgumentLists.splitAll("DEST", options.destinations())) {
        dests.add(parse("destination", one));
      }
      List<Platform> selected = ArgumentLists.splitAll("--platform", options.platforms()).stream()
          .map(Platform::parse).toList();
      request = new MirrorRequest(src, dests, selected, options.dryRun());
      client = new RegistryClient(options.registry().toRegistryOptions(System.getenv()));
    } catch (IllegalArgumentException e) {
      return usage(e);
    }
    MirrorReport report;
    Progress progress = new Progress();
    try (ProgressReporter reporter = reporter(progress, err)) {
      int readTimeoutSeconds = options.readTimeoutSeconds();
      if (readTimeoutSeconds < 1) {
        throw new IllegalArgumentException("--read-timeout must be at least 1 second, not " + readTimeoutSeconds);
      }
      MirrorEngine engine = new MirrorEngine(client, jobs, options.registry().retryTimes())
          .withReadTimeout(Duration.ofSeconds(readTimeoutSeconds));
      if (options.createRepository() && !options.dryRun()) {
        engine = engine.withDestinationSetup(new EcrRepositorySetup(EcrClients.fromEnvironment(System.getenv())));
      }
      report = engine.mirror(request, progress);
    } catch (RegistryException e) {
      return CommandLineSupport.failure(spec.commandLine(), "cannot read source " + request.source() + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      return usage(e);
    }
    if (options.json()) {
      out.println(toJson(report));
    } else {
      print(report, out);
    }
    out.flush();
    return report.allOk() ? ExitCodes.OK : ExitCodes.FAILED;
  }

  private int usage(IllegalArgumentException e) {
    int code = CommandLineSupport.usageError(spec.commandLine(), e.getMessage());
    CommandLineSupport.trace(spec.commandLine().getErr(), e);
    return code;
  }

  private ProgressReporter reporter(Progress progress, PrintWriter err) {
    String progressMode = options.progressMode();
    String mode = progressMode.toLowerCase(Locale.ROOT);
    if (mode.equals("auto")) {
      mode = isTerminal() ? "live" : "log";
    }
    return switch (mode) {
      case "live" -> ProgressReporter.live(progress, err);
      case "log" -> ProgressReporter.logging(progress, Duration.ofSeconds(Math.max(1, options.progressInterval())));
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
