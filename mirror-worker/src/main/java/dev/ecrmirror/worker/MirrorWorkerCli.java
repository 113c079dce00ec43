package dev.ecrmirror.worker;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecrmirror.common.FailureKind;
import dev.ecrmirror.common.Failures;
import dev.ecrmirror.common.Json;
import dev.ecrmirror.common.aws.EcrClients;
import dev.ecrmirror.common.aws.EcrImages;
import dev.ecrmirror.common.cli.ArgumentLists;
import dev.ecrmirror.common.cli.CommandLineSupport;
import dev.ecrmirror.common.cli.ExitCodes;
import dev.ecrmirror.common.cli.RegistryCliOptions;
import dev.ecrmirror.common.manifest.Platform;
import dev.ecrmirror.common.ref.DestinationPrefix;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.ref.InvalidReferenceException;
import dev.ecrmirror.common.ref.Pin;
import dev.ecrmirror.common.registry.RateLimitedException;
import dev.ecrmirror.common.registry.RegistryClient.ManifestHead;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryException;
import dev.ecrmirror.common.report.ReportLine;
import dev.ecrmirror.common.tags.RuleSpec;
import dev.ecrmirror.common.tags.TagLister;
import dev.ecrmirror.common.tags.TagRules;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine;

/** The {@code mirror-worker} command: copy one image, or the selected or pinned tags of a repository, to one or more destinations. */
public final class MirrorWorkerCli implements Callable<Integer>, ExitCodes.Documented {
  private static final String CONVERTER_EXCLUDES = "picocli.converters.excludes";
  private final WorkerOptions options = new WorkerOptions();
  private final CommandSpec spec = options.commandSpec(this);

  public static void main(String[] args) {
    NetworkWarmup.start();
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
    // One code per failure kind, so a Batch job's exit code tells the controller what the failure means.
    return new ExitCodes.Meanings("every destination holds the source digest (or would, with --dry-run); with tags: every tag's digest",
        "a transient failure: the source, a destination or a tag failed for a reason that may pass (no answer, a "
            + "timeout, HTTP 5xx); the others were still done. With failures of several kinds the gravest decides: "
            + "4, then 6, then 5, then 1",
        "bad usage: an invalid reference, platform, pin, rule or option; nothing was copied",
        Map.of(FailureKind.PERMANENT.exitCode(), "a permanent failure: access denied, the source image or a pinned "
                + "digest gone, or a copy that cannot be made as asked; trying again will not help until something changes "
                + "(not 3: the JVM exits 3 when it runs out of memory, which the controller treats as transient)",
            FailureKind.CONFLICT.exitCode(), "a conflict: a destination tag holds another digest and the registry "
                + "forbids overwriting it (an immutable ECR repository), or --existing-tags keep does",
            FailureKind.RATE_LIMITED.exitCode(), "rate limited: a registry's pull budget ran out; try again on a later run"));
  }

  /** What the arguments ask for: one image, or tags of a repository (listed by rules, or pinned). */
  private record Plan(ImageReference source, List<ImageReference> destinations, List<Platform> platforms,
      Optional<TagRules> rules, List<Pin> pins, ExistingTagPolicy existingTags, ReferrerPolicy referrers) {

    boolean repository() {
      return rules.isPresent() || (!pins.isEmpty() && source.isBare());
    }
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int jobs = options.jobs();
    Plan plan;
    RegistryClient client;
    RunNotices notices;
    try {
      if (jobs < 1) {
        throw new IllegalArgumentException("--jobs must be at least 1, not " + jobs);
      }
      plan = plan();
      options.registry().roles().source(plan.source());
      plan.destinations().forEach(options.registry().roles()::destination);
      client = new RegistryClient(options.registry().toRegistryOptions(System.getenv()));
      notices = new RunNotices(options.notices().emf(), options.notices().event(), System.getenv(), Clock.systemUTC());
    } catch (IllegalArgumentException e) {
      return usage(e);
    }
    MirrorEngines.Settings settings;
    EcrClients ecr;
    try {
      settings = options.engine().settings(jobs, options.registry().retryTimes(), options.dryRun());
      plan.destinations().forEach(settings.repositorySettings()::checkFor);
      // Clients are made per region (and assumed role) on first use: a run that touches no ECR registry starts none.
      ecr = options.registry().ecrClients(System.getenv());
    } catch (IllegalArgumentException e) {
      return usage(e);
    }
    Progress progress = new Progress();
    try (ProgressReporter reporter = reporter(progress, err)) {
      MirrorEngine engine = MirrorEngines.build(client, settings, ecr);
      if (options.dryRun() && !options.json()) {
        RepositoryDifferences.print(plan.destinations(), ecr, settings.repositorySettings(), out);
      }
      if (plan.repository()) {
        return mirrorRepository(plan, new TagLister(client, Optional.of(new EcrImages(ecr))), client, engine,
            progress, notices, out, err);
      }
      MirrorReport report = engine.mirror(new MirrorRequest(plan.source(), plan.destinations(), plan.platforms(),
          options.dryRun(), plan.existingTags(), plan.referrers()), progress);
      int exit = finish(report.worstFailure(), () -> toJson(report), () -> print(report, out), out);
      return notify(notices, plan, client, lines(report, false), exit, out, err);
    } catch (RegistryException | RateLimitedException e) {
      String message = "cannot read source " + plan.source() + ": " + e.getMessage();
      CommandLineSupport.failure(spec.commandLine(), message, e);
      return notify(notices, plan, client, unreached(plan, message, Failures.kind(e)), Failures.kind(e).exitCode(),
          out, err);
    } catch (IllegalArgumentException e) {
      return usage(e);
    }
  }

  /** Checks the arguments against each other; throws {@link IllegalArgumentException} naming the one at fault. */
  private Plan plan() {
    ImageReference src = parse("source", options.source());
    List<ImageReference> dests = new ArrayList<>();
    List<String> given = new ArrayList<>();
    for (String one : ArgumentLists.splitAll("DEST", options.destinations())) {
      // A prefix DEST ('…/mirror/') becomes a plain repository here; nothing after this sees a prefix.
      dests.add(parse("destination", DestinationPrefix.resolve(one, src, options.policy().prefixKeepsRegistry())));
      given.add(one);
    }
    if (dests.isEmpty()) {
      throw new IllegalArgumentException("no destination given");
    }
    List<Platform> selected = ArgumentLists.splitAll("--platform", options.platforms()).stream()
        .map(Platform::parse).toList();
    List<Pin> pins = pins(options.pins());
    RuleSpec spec = options.rules().toSpec();
    Optional<TagRules> rules = Optional.empty();
    if (!spec.isEmpty()) {
      if (!pins.isEmpty()) {
        throw new IllegalArgumentException("--pin and tag rules cannot be combined: the pins name the tags already");
      }
      rules = Optional.of(TagRules.of(spec));
    }
    String why = rules.isPresent() ? "with tag rules" : "with a repository source and --pin";
    if (rules.isPresent() && !src.isBare()) {
      throw new IllegalArgumentException("source '" + options.source() + "' names a tag or digest; " + why
          + " it must be a repository");
    }
    if (rules.isPresent() || (!pins.isEmpty() && src.isBare())) {
      for (int i = 0; i < dests.size(); i++) {
        if (!dests.get(i).isBare()) {
          throw new IllegalArgumentException("destination '" + given.get(i) + "' names a tag or digest; " + why
              + " every DEST must be a repository");
        }
      }
    } else if (!pins.isEmpty()) {
      src = pinnedSource(src, pins);
    }
    return new Plan(src, dests, selected, rules, pins, options.policy().existingTags(Clock.systemUTC()),
        options.referrers().policy());
  }

  /** A tagged source takes one pin, for its own tag; the copy is then pinned to that pin's digest. */
  private ImageReference pinnedSource(ImageReference src, List<Pin> pins) {
    String given = options.source();
    if (src.tag().isEmpty()) {
      throw new IllegalArgumentException("source '" + given + "' names a digest and no tag; --pin needs a "
          + "repository or a tagged source");
    }
    String tag = src.tag().get();
    if (pins.size() != 1) {
      throw new IllegalArgumentException("source '" + given + "' names tag " + tag + ": it takes one --pin, for "
          + "that tag, not " + pins.size() + " (" + Pin.join(pins) + ")");
    }
    Pin pin = pins.getFirst();
    if (!pin.tag().equals(tag)) {
      throw new IllegalArgumentException("--pin " + pin + " names tag " + pin.tag() + " but source '" + given
          + "' names tag " + tag);
    }
    if (src.digest().isPresent() && !src.digest().get().equals(pin.digest())) {
      throw new IllegalArgumentException("--pin " + pin + " names digest " + pin.digest() + " but source '" + given
          + "' names digest " + src.digest().get());
    }
    return src.withDigest(pin.digest());
  }

  /** Every {@code --pin} value, each comma-separated; blank values and {@value WorkerOptions#NO_PINS} add none. */
  static List<Pin> pins(List<String> values) {
    List<Pin> out = new ArrayList<>();
    for (String value : values) {
      if (value.isBlank() || value.trim().equals(WorkerOptions.NO_PINS)) {
        continue;
      }
      for (Pin pin : Pin.parseList(value.trim())) {
        if (out.stream().anyMatch(p -> p.tag().equals(pin.tag()))) {
          throw new IllegalArgumentException("--pin names tag " + pin.tag() + " twice");
        }
        out.add(pin);
      }
    }
    return out;
  }

  /** Selects (or takes the pinned) tags, runs the repository copy and prints what it did. */
  private int mirrorRepository(Plan plan, TagLister lister, RegistryClient client, MirrorEngine engine,
      Progress progress, RunNotices notices, PrintWriter out, PrintWriter err) {
    List<Pin> pins = plan.pins();
    if (plan.rules().isPresent()) {
      TagLister.Listing listed;
      try {
        listed = lister.list(plan.source());
      } catch (RegistryException | RateLimitedException e) {
        err.println("mirror-worker: " + e.getMessage()); // "list tags of REPO failed: ..."
        return notify(notices, plan, client, unreached(plan, e.getMessage(), Failures.kind(e)),
            Failures.kind(e).exitCode(), out, err);
      }
      List<String> selected = plan.rules().get().select(listed.tags());
      try {
        pins = pinTags(client, plan.source(), selected, listed.digests(), options.jobs(), err);
      } catch (RegistryException | RateLimitedException e) {
        String message = "cannot read source " + plan.source().name() + ": " + e.getMessage();
        err.println("mirror-worker: " + message);
        return notify(notices, plan, client, unreached(plan, message, Failures.kind(e)), Failures.kind(e).exitCode(),
            out, err);
      }
    }
    RepositoryReport report = pins.isEmpty()
        ? new RepositoryReport(plan.source(), List.of(), 0)
        : engine.mirror(new RepositoryRequest(plan.source(), plan.destinations(), pins, plan.platforms(),
            options.dryRun(), plan.existingTags(), plan.referrers()), progress);
    int exit = finish(report.worstFailure(), () -> toJson(report), () -> print(report, out), out);
    List<ReportLine> lines = report.tags().stream().flatMap(t -> lines(t, true).stream()).toList();
    return notify(notices, plan, client, lines, exit, out, err);
  }

  /**
   * Sends the run's metrics line and event, if asked for, and returns {@code exit}: the metrics line
   * goes to stderr with {@code --json}, so stdout stays one JSON document.
   */
  private int notify(RunNotices notices, Plan plan, RegistryClient client, List<ReportLine> lines, int exit,
      PrintWriter out, PrintWriter err) {
    // The source's registry alone: a destination that sent the header is not the budget this run spends.
    Map<String, Long> remaining = client.rateLimitRemaining().entrySet().stream()
        .filter(e -> e.getKey().equals(plan.source().registry()))
        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    String source = plan.repository() ? plan.source().name() : plan.source().toString();
    return notices.send(source, lines, exit, remaining, options.dryRun(), options.json() ? err : out, err);
  }

  /** One image's destinations as run report lines. */
  private static List<ReportLine> lines(MirrorReport report, boolean tagged) {
    return report.destinations().stream().map(r -> reportLine(report, r, tagged)).toList();
  }

  /** Every destination of a run that could not read its source: each failed with the run's failure. */
  private static List<ReportLine> unreached(Plan plan, String message, FailureKind kind) {
    String source = plan.repository() ? plan.source().name() : plan.source().toString();
    return plan.destinations().stream().map(d -> new ReportLine(source, null, d.toString(), null, null, null,
        ReportLine.Outcome.of(kind), null, null, message, ReportLine.kindWord(kind))).toList();
  }

  /**
   * Prints a run's report, as the JSON document with {@code --json} or else as text, and returns the
   * exit code its gravest failure calls for (0 without one); one image and a repository run answer the same way.
   */
  private int finish(Optional<FailureKind> worst, Supplier<String> json, Runnable text, PrintWriter out) {
    if (options.json()) {
      out.println(json.get());
    } else {
      text.run();
    }
    out.flush();
    return worst.map(FailureKind::exitCode).orElse(ExitCodes.OK);
  }

  private int usage(IllegalArgumentException e) {
    int code = CommandLineSupport.usageError(spec.commandLine(), e.getMessage());
    CommandLineSupport.trace(spec.commandLine().getErr(), e);
    return code;
  }

  /**
   * Pins each selected tag to the digest the source gives it now: the digest the listing gave (ECR
   * lists them), else a HEAD (free on Docker Hub), {@code jobs} at a time. A tag deleted since the
   * listing is left out with a warning.
   */
  static List<Pin> pinTags(RegistryClient client, ImageReference repository, List<String> tags,
      Map<String, Digest> listed, int jobs, PrintWriter err) {
    ExecutorService threads = Executors.newFixedThreadPool(Math.max(1, Math.min(jobs, tags.size())),
        Thread.ofPlatform().daemon().name("pin-", 0).factory());
    try {
      List<Future<Optional<ManifestHead>>> heads = new ArrayList<>();
      for (String tag : tags) {
        Digest known = listed.get(tag);
        heads.add(known != null ? CompletableFuture.completedFuture(Optional.of(new ManifestHead(known, "", -1)))
            : threads.submit(() -> client.headManifest(repository.withTag(tag))));
      }
      List<Pin> pins = new ArrayList<>();
      for (int i = 0; i < tags.size(); i++) {
        Optional<ManifestHead> head;
        try {
          head = heads.get(i).get();
        } catch (ExecutionException e) {
          throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
        if (head.isEmpty()) {
          err.println("mirror-worker: tag " + tags.get(i) + " of " + repository.name()
              + " was listed but is gone; skipping it");
        } else {
          pins.add(new Pin(tags.get(i), head.get().digest()));
        }
      }
      return pins;
    } finally {
      threads.shutdownNow();
    }
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
      StringBuilder line = statusColumns(r);
      r.digest().ifPresent(d -> line.append(' ').append(d));
      switch (r.status()) {
        case COPIED -> line.append(String.format(" blobs: %d uploaded, %d mounted, %d present; %s in %.1f s",
            r.blobsUploaded(), r.blobsMounted(), r.blobsPresent(), human(r.bytesUploaded()), r.elapsed().toMillis() / 1000.0));
        case FAILED -> line.append(": ").append(r.error().orElse("unknown error"));
        default -> { }
      }
      out.println(line);
    }
    printReferrers(report, out);
  }

  /** One line per referrer this run pushed ({@code referrer    REF sha256:… (TYPE)}); those already there print nothing. */
  private static void printReferrers(MirrorReport report, PrintWriter out) {
    for (MirrorReport.Referrer r : report.referrers()) {
      if (r.pushed()) {
        out.println(String.format("%-11s %s %s%s", "referrer", r.destination(), r.digest(),
            r.artifactType().isEmpty() ? "" : " (" + r.artifactType() + ")"));
      }
    }
  }

  /** A text line's first columns, {@code copied      REF}: the status padded so destinations line up. */
  private static StringBuilder statusColumns(DestinationResult r) {
    String status = r.status().name().toLowerCase(Locale.ROOT).replace('_', ' ');
    return new StringBuilder(String.format("%-11s %s", status, r.destination()));
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
    return json(report, false).toString();
  }

  /**
   * One image's result: the document {@code --json} prints for one image, and each tag's in a
   * repository run ({@code tagged}). Each destination entry is a run report line (docs/report.md),
   * the schema {@code controller sync --report} writes, plus the worker's own {@code status} and
   * blob counts.
   */
  private static ObjectNode json(MirrorReport report, boolean tagged) {
    ObjectNode root = Json.mapper().createObjectNode();
    root.put("source", report.source().toString());
    root.put("digest", report.digest().toString());
    root.put("mediaType", report.mediaType());
    root.put("indexRewritten", report.indexRewritten());
    root.put("sourceBytesRead", report.sourceBytesRead());
    root.put("ok", report.allOk());
    ArrayNode dests = root.putArray("destinations");
    for (DestinationResult r : report.destinations()) {
      ObjectNode d = reportLine(report, r, tagged).into(dests.addObject());
      d.put("status", r.status().name().toLowerCase(Locale.ROOT));
      d.put("blobsUploaded", r.blobsUploaded());
      d.put("blobsMounted", r.blobsMounted());
      d.put("blobsPresent", r.blobsPresent());
    }
    ArrayNode referrers = root.putArray("referrers");
    for (MirrorReport.Referrer r : report.referrers()) {
      referrers.addObject().put("destination", r.destination().toString()).put("subject", r.subject().toString())
          .put("digest", r.digest().toString()).put("artifactType", r.artifactType().isEmpty() ? null : r.artifactType())
          .put("status", r.pushed() ? "copied" : "in_sync");
    }
    return root;
  }

  /** A destination's result as a run report line: a repository run's lines name the repository and the tag. */
  static ReportLine reportLine(MirrorReport report, DestinationResult r, boolean tagged) {
    String digest = r.digest().map(Object::toString).orElse(null);
    ReportLine.Outcome outcome = switch (r.status()) {
      case COPIED -> ReportLine.Outcome.MIRRORED;
      case IN_SYNC -> ReportLine.Outcome.IN_SYNC;
      case WOULD_COPY -> ReportLine.Outcome.DRIFT;
      case FAILED -> ReportLine.Outcome.of(r.failure().orElseThrow().kind());
    };
    // What the destination held before: known when nothing was written (in sync, or a dry run).
    String before = r.status() == DestinationResult.Status.IN_SYNC || r.status() == DestinationResult.Status.WOULD_COPY
        ? digest : null;
    String source = tagged ? report.source().name() : report.source().toString();
    return new ReportLine(source, tagged ? report.source().tag().orElse(null) : null, r.destination().toString(),
        report.source().digest().map(Object::toString).orElse(null), before, digest, outcome, r.bytesUploaded(),
        r.elapsed().toMillis() / 1000.0, r.error().orElse(null), r.failure().map(f -> ReportLine.kindWord(f.kind())).orElse(null));
  }

  /** A failure kind as the report names it: {@code transient}, {@code permanent}, {@code conflict}, {@code rate_limited}. */


  /** The figures of a repository run's summary line. */
  record Summary(int selected, int copied, int wouldCopy, int inSync, int failed, int destinations,
      int blobsUploaded, int blobsMounted, int blobsPresent, long sourceBytesRead) {

    static Summary of(RepositoryReport report) {
      int copied = 0;
      int wouldCopy = 0;
      int inSync = 0;
      int failed = 0;
      int uploaded = 0;
      int mounted = 0;
      int present = 0;
      java.util.Set<String> reached = new java.util.HashSet<>();
      for (MirrorReport tag : report.tags()) {
        List<DestinationResult.Status> statuses = tag.destinations().stream().map(DestinationResult::status).toList();
        if (statuses.contains(DestinationResult.Status.FAILED)) {
          failed++;
        } else if (statuses.contains(DestinationResult.Status.COPIED)) {
          copied++;
        } else if (statuses.contains(DestinationResult.Status.WOULD_COPY)) {
          wouldCopy++;
        } else {
          inSync++;
        }
        for (DestinationResult r : tag.destinations()) {
          uploaded += r.blobsUploaded();
          mounted += r.blobsMounted();
          present += r.blobsPresent();
          if (r.status() == DestinationResult.Status.COPIED || r.status() == DestinationResult.Status.WOULD_COPY) {
            reached.add(r.destination().name());
          }
        }
      }
      return new Summary(report.tags().size(), copied, wouldCopy, inSync, failed, reached.size(), uploaded, mounted,
          present, report.sourceBytesRead());
    }

    /** {@code 42 tags selected: 3 copied to 2 destinations, 39 in sync, 0 failed; 12 blobs uploaded, 30 present; source read 48.2 MiB}. */
    String line(boolean dryRun) {
      String to = " to " + destinations + (destinations == 1 ? " destination" : " destinations");
      StringBuilder out = new StringBuilder(selected + (selected == 1 ? " tag" : " tags") + " selected: ");
      out.append(dryRun ? wouldCopy + " would be copied" : copied + " copied").append(to);
      out.append(", ").append(inSync).append(" in sync, ").append(failed).append(" failed");
      if (!dryRun) {
        out.append("; ").append(blobsUploaded).append(blobsUploaded == 1 ? " blob" : " blobs").append(" uploaded, ");
        if (blobsMounted > 0) {
          out.append(blobsMounted).append(" mounted, ");
        }
        out.append(blobsPresent).append(" present; source read ").append(human(sourceBytesRead));
      }
      return out.toString();
    }
  }

  private void print(RepositoryReport report, PrintWriter out) {
    boolean dryRun = options.dryRun();
    if (dryRun) {
      out.println("selected " + report.tags().size() + " tags of " + report.source().name() + ": "
          + String.join(", ", report.tags().stream().map(t -> t.source().tag().orElse("?")).toList()));
    }
    for (MirrorReport tag : report.tags()) {
      for (DestinationResult r : tag.destinations()) {
        StringBuilder line = statusColumns(r);
        switch (r.status()) {
          case COPIED -> line.append(' ').append(tag.digest()).append(String.format(
              " blobs: %d uploaded, %d mounted, %d present; %s", r.blobsUploaded(), r.blobsMounted(), r.blobsPresent(),
              human(r.bytesUploaded())));
          case WOULD_COPY -> line.append(' ').append(tag.digest())
              .append(r.digest().map(d -> " (it holds " + d + ")").orElse(" (it lacks the tag)"));
          case FAILED -> line.append(": ").append(r.error().orElse("unknown error"));
          case IN_SYNC -> {
            continue;
          }
        }
        out.println(line);
      }
      printReferrers(tag, out);
    }
    out.println(Summary.of(report).line(dryRun));
  }

  /** A repository run as one document: the summary's figures and, per tag, the one-image document. */
  private String toJson(RepositoryReport report) {
    Summary summary = Summary.of(report);
    ObjectNode root = Json.mapper().createObjectNode();
    root.put("source", report.source().name());
    root.put("dryRun", options.dryRun());
    root.put("tagsSelected", summary.selected());
    root.put("copied", summary.copied());
    root.put("wouldCopy", summary.wouldCopy());
    root.put("inSync", summary.inSync());
    root.put("failed", summary.failed());
    root.put("destinationsReached", summary.destinations());
    root.put("blobsUploaded", summary.blobsUploaded());
    root.put("blobsMounted", summary.blobsMounted());
    root.put("blobsPresent", summary.blobsPresent());
    root.put("sourceBytesRead", report.sourceBytesRead());
    root.put("ok", report.allOk());
    ArrayNode tags = root.putArray("tags");
    for (MirrorReport tag : report.tags()) {
      tags.add(json(tag, true));
    }
    return root.toString();
  }
}
