package dev.ecrmirror.images;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.cloud.tools.jib.api.LogEvent;
import dev.ecrmirror.common.auth.CredentialProvider;
import dev.ecrmirror.common.cli.ArgumentLists;
import dev.ecrmirror.common.cli.CommandLineSupport;
import dev.ecrmirror.common.cli.ExitCodes;
import dev.ecrmirror.common.cli.RegistryCliOptions;
import dev.ecrmirror.common.manifest.Platform;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.ref.InvalidReferenceException;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryException;
import dev.ecrmirror.common.registry.RegistryOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code images} command: build the controller and mirror-worker images from their jars and push them. */
@Command(name = "images", mixinStandardHelpOptions = true, versionProvider = ImagesCli.VersionProvider.class,
    sortOptions = false, usageHelpAutoWidth = true,
    description = {
        "Builds the controller and mirror-worker container images from the project's runnable jars with jib "
            + "(no Docker daemon) and pushes them to PREFIX/controller:TAG and PREFIX/mirror-worker:TAG, "
            + "or writes DIR/controller.tar and DIR/mirror-worker.tar.",
        "Each image is the base plus one layer with the jar at /app/<name>.jar; entrypoint java -jar /app/<name>.jar; "
            + "user 65532:65532; JAVA_TOOL_OPTIONS=" + ImageBuilder.JAVA_TOOL_OPTIONS + ". Builds are reproducible: "
            + "the same jars, base digest and options give the same digests.",
        ""},
    footerHeading = "%nExamples:%n",
    footer = {
        "  mvn -B -DskipTests package                      # builds the jars first",
        "  java -jar images/target/images.jar \\",
        "      --to 123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-mirror",
        "  java -jar images/target/images.jar --to 127.0.0.1:5000/ecr-mirror --tag dev",
        "  java -jar images/target/images.jar --to registry.lan:5000/ops \\",
        "      --insecure-registry registry.lan:5000 --platform linux/arm64",
        "  java -jar images/target/images.jar --tar dist/ --platform linux/arm64",
        "",
        "Logins come from --src-creds/--src-token (the base's registry) and",
        "--dest-creds/--dest-token (the target's), then --auth-file, $ECR_MIRROR_AUTH_JSON,",
        "$DOCKER_CONFIG/config.json or ~/.docker/config.json; ECR registries get a token",
        "from the AWS credential chain (region from the host name), for the base and the",
        "target alike."})
public final class ImagesCli implements Callable<Integer>, ExitCodes.Documented {
  static final String DEFAULT_BASE = "eclipse-temurin:21-jre";
  static final List<String> DEFAULT_PLATFORMS = List.of("linux/amd64", "linux/arm64");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final java.util.regex.Pattern INSECURE_FALLBACK =
      java.util.regex.Pattern.compile("^(Cannot verify server at https://|Failed to connect to https://.* over HTTPS)");

  /** Exactly one of a registry prefix or a tar directory. */
  static final class Destination {
    @Option(names = "--to", paramLabel = "PREFIX", required = true,
        description = "Push to PREFIX/controller:TAG and PREFIX/mirror-worker:TAG, e.g. "
            + "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-mirror (the repositories must exist in ECR).")
    String prefix;

    @Option(names = "--tar", paramLabel = "DIR", required = true,
        description = "Write DIR/controller.tar and DIR/mirror-worker.tar instead: docker load archives of one platform each "
            + "(the first --platform the base has), named ecr-mirror/<name>:TAG.")
    Path tarDir;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Destination destination;

  @Option(names = "--tag", paramLabel = "TAG",
      description = "The tag of both images. Default: the project version, ${DEFAULT-VALUE}.")
  String tag = Version.PROJECT;

  @Option(names = "--base", paramLabel = "IMAGE", defaultValue = DEFAULT_BASE,
      description = "The base image: a Java 21 runtime with java on the PATH. Resolved once and pinned by digest. "
          + "Default: ${DEFAULT-VALUE}.")
  String base;

  @Option(names = "--platform", paramLabel = "OS/ARCH",
      description = "A platform to build (repeatable; comma-separated also works). Only those the base has are built; "
          + "a single-platform base builds its own. Default: linux/amd64 and linux/arm64.")
  List<String> platforms = new ArrayList<>();

  @Option(names = "--worker-jar", paramLabel = "JAR",
      description = "The runnable mirror-worker jar. Default: mirror-worker/target/mirror-worker.jar.")
  Path workerJar;

  @Option(names = "--controller-jar", paramLabel = "JAR",
      description = "The runnable controller jar. Default: controller/target/controller.jar.")
  Path controllerJar;

  @Option(names = "--revision", paramLabel = "REV",
      description = "The org.opencontainers.image.revision label. Default: git rev-parse HEAD, or 'unknown'.")
  String revision;

  @Option(names = "--source-url", paramLabel = "URL",
      description = "The org.opencontainers.image.source label (the repository URL). Default: no such label.")
  String sourceUrl;

  @Option(names = "--cache-dir", paramLabel = "DIR",
      description = "Where jib caches base layers. Default: jib's, ~/.cache/google-cloud-tools-java/jib.")
  Path cacheDir;

  @Option(names = "--json", description = "Print the result as one JSON document instead of one line per image.")
  boolean json;

  final RegistryCliOptions registry = new RegistryCliOptions();

  @Mixin
  CommandSpec registryOptions = registry.mixin();

  /** {@code -v} is {@code --debug} on every command; here it also shows jib's progress, as {@code --verbose} did. */
  @Mixin
  CommandSpec debug = CommandLineSupport.debugMixin(List.of("--verbose"), "Also shows jib's progress messages.");

  @Spec
  CommandSpec spec;

  private final Map<String, String> env;
  private final Path workDir;

  /** A command reading the given environment and resolving default jar paths against {@code workDir}. */
  ImagesCli(Map<String, String> env, Path workDir) {
    this.env = Map.copyOf(env);
    this.workDir = workDir;
  }

  public static void main(String[] args) {
    System.exit(commandLine(System.getenv(), Path.of("").toAbsolutePath()).execute(args));
  }

  /** The configured command line: usage errors print one line and exit 2. */
  static CommandLine commandLine(Map<String, String> env, Path workDir) {
    return CommandLineSupport.configure(new CommandLine(new ImagesCli(env, workDir)));
  }

  @Override
  public ExitCodes.Meanings exitCodes() {
    return new ExitCodes.Meanings("both images built and pushed (or written)",
        "a build or push failed, or the base image could not be read",
        "bad usage: a missing jar, a malformed reference, tag or platform");
  }

  /** Reports the project version for {@code --version}. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"images " + Version.PROJECT};
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Target target;
    List<Platform> requested;
    Map<AppImage, Path> jars;
    ImageReference baseRef;
    RegistryOptions options;
    try {
      target = destination.tarDir != null ? Target.Tar.of(destination.tarDir, tag) : Target.Registry.of(destination.prefix, tag);
      requested = requestedPlatforms(target);
      jars = jars();
      baseRef = parse("--base", base);
      registry.roles().source(baseRef);
      if (target instanceof Target.Registry r) {
        AppImage.ALL.forEach(app -> registry.roles().destination(r.reference(app)));
      }
      options = registry.toRegistryOptions(env);
    } catch (IllegalArgumentException e) {
      return usage(e);
    }

    BaseImage baseImage;
    BaseImage.Choice choice;
    try {
      baseImage = BaseImage.inspect(new RegistryClient(options), baseRef);
      choice = baseImage.choose(requested);
    } catch (RegistryException | IllegalStateException | java.io.UncheckedIOException e) {
      return CommandLineSupport.failure(spec.commandLine(), "cannot read base image " + baseRef + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      return usage(e);
    }
    choice.notes().forEach(note -> err.println("images: " + note));
    if (target instanceof Target.Tar && choice.platforms().size() > 1) {
      err.println("images: --tar writes one platform per image: building " + choice.platforms().getFirst()
          + " (choose another with --platform)");
    }
    err.flush();

    RegistryClient client = new RegistryClient(options);
    boolean basePlain = plainHttp(client, baseRef);
    boolean targetPlain = target instanceof Target.Registry r ? plainHttp(client, r.reference(AppImage.WORKER)) : basePlain;
    Map<AppImage, ImageReference> relayed = new LinkedHashMap<>();
    if (basePlain != targetPlain) {
      // One plain-HTTP registry and one TLS registry: jib cannot tell them apart, so the base moves first.
      try {
        for (AppImage app : AppImage.ALL) {
          relayed.put(app, BaseRelay.copy(client, baseImage, choice.platforms(), target.reference(app)));
        }
      } catch (RegistryException | IllegalStateException | java.io.UncheckedIOException e) {
        err.println("images: cannot copy base image " + baseRef + " to " + target.reference(AppImage.WORKER).registry()
            + ": " + e.getMessage());
        err.flush();
        return 1;
      }
    }
    boolean allowInsecure = relayed.isEmpty() ? basePlain : targetPlain;
    sendCredentialsOverHttp(allowInsecure && hasLogin(options, baseRef, target));
    ImageBuilder builder = new ImageBuilder(new ImageBuilder.Settings(baseImage, choice.platforms(), Labels.common(Version.PROJECT,
        revision != null ? revision : Labels.gitRevision(workDir), Optional.ofNullable(sourceUrl), baseImage),
        options.credentials(), allowInsecure, relayed, Optional.ofNullable(cacheDir), options.retryTimes(), this::log));
    List<ImageBuilder.Built> built = new ArrayList<>();
    boolean failed = false;
    for (AppImage app : AppImage.ALL) {
      try {
        built.add(builder.build(app, jars.get(app), target));
      } catch (ImageBuilder.BuildFailedException e) {
        CommandLineSupport.failure(spec.commandLine(), e.getMessage(), e);
        failed = true;
      }
    }
    if (json) {
      out.println(toJson(built));
    } else {
      built.forEach(b -> out.println(line(b)));
    }
    out.flush();
    return failed ? ExitCodes.FAILED : ExitCodes.OK;
  }

  private int usage(IllegalArgumentException e) {
    int code = CommandLineSupport.usageError(spec.commandLine(), e.getMessage());
    CommandLineSupport.trace(spec.commandLine().getErr(), e);
    return code;
  }

  private List<Platform> requestedPlatforms(Target target) {
    List<String> given = ArgumentLists.splitAll("--platform", platforms);
    if (target instanceof Target.Tar && given.size() > 1) {
      throw new IllegalArgumentException("--tar writes single-platform archives: pass one --platform, not "
          + String.join(", ", given));
    }
    List<Platform> parsed = new ArrayList<>();
    for (String value : given.isEmpty() ? DEFAULT_PLATFORMS : given) {
      Platform p = Platform.parse(value);
      // jib picks a base entry by os and architecture only, so a variant could not be honoured.
      if (!p.variant().isEmpty() && !(p.architecture().equals("arm64") && p.variant().equals("v8"))) {
        throw new IllegalArgumentException("--platform '" + value + "': variants are not supported (jib selects the "
            + "base by os/architecture only); use " + p.os() + "/" + p.architecture());
      }
      parsed.add(p);
    }
    return parsed;
  }

  private Map<AppImage, Path> jars() {
    Map<AppImage, Path> jars = new LinkedHashMap<>();
    jars.put(AppImage.CONTROLLER, checkJar(AppImage.CONTROLLER, "--controller-jar", controllerJar));
    jars.put(AppImage.WORKER, checkJar(AppImage.WORKER, "--worker-jar", workerJar));
    return jars;
  }

  private Path checkJar(AppImage app, String option, Path given) {
    Path jar = workDir.resolve(given != null ? given : Path.of(app.defaultJarLocation())).normalize();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException("the " + app.name() + " jar " + jar + " does not exist: run "
          + "'mvn -B -DskipTests package' first" + (given == null ? " (from the project root), or pass " + option : ""));
    }
    // A thin jar (no Main-Class) would build an image that cannot start: catch it here, not in Batch.
    try (JarFile file = new JarFile(jar.toFile())) {
      if (file.getManifest() == null || file.getManifest().getMainAttributes().getValue("Main-Class") == null) {
        throw new IllegalArgumentException("the " + app.name() + " jar " + jar + " is not runnable (no Main-Class in "
            + "its manifest): use the shaded target/" + app.jarFile());
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("the " + app.name() + " jar " + jar + " is not a readable jar: " + e.getMessage(), e);
    }
    return jar;
  }

  private static ImageReference parse(String option, String value) {
    try {
      return ImageReference.parse(value);
    } catch (InvalidReferenceException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
    }
  }

  /** Plain HTTP exactly as the worker decides it: loopback, or named with {@code --insecure-registry}. */
  private static boolean plainHttp(RegistryClient client, ImageReference ref) {
    return client.base(ref).getScheme().equals("http");
  }

  private static boolean hasLogin(RegistryOptions options, ImageReference baseRef, Target target) {
    CredentialProvider credentials = options.credentials();
    return credentials.credentialFor(baseRef.registry()).isPresent()
        || (target instanceof Target.Registry r && credentials.credentialFor(r.reference(AppImage.WORKER).registry()).isPresent());
  }

  /**
   * jib refuses to send a login over plain HTTP unless this JVM-wide property says otherwise. It is
   * set only for a build whose registries are all plain HTTP (so no TLS registry can be sent a login
   * in clear by a fallback), and cleared otherwise, since the property outlives one build.
   */
  private static void sendCredentialsOverHttp(boolean allowed) {
    if (allowed) {
      System.setProperty("sendCredentialsOverHttp", "true");
    } else {
      System.clearProperty("sendCredentialsOverHttp");
    }
  }

  private void log(LogEvent event) {
    boolean show = switch (event.getLevel()) {
      // jib tries HTTPS first even for registries the user declared plain HTTP: that is expected, not a warning.
      case WARN -> CommandLineSupport.debug() || !INSECURE_FALLBACK.matcher(event.getMessage()).find();
      case ERROR -> true;
      case LIFECYCLE, INFO -> CommandLineSupport.debug();
      default -> false;
    };
    if (show) {
      PrintWriter err = spec.commandLine().getErr();
      synchronized (err) {
        err.println("images: " + (event.getLevel() == LogEvent.Level.WARN ? "warning: " : "") + event.getMessage());
        err.flush();
      }
    }
  }

  /**
   * {@code name@digest  platforms} for a push, ready to paste as a pinned reference. A tar has no
   * registry digest (whoever loads or copies it writes the manifest), so its line shows the image ID.
   */
  private static String line(ImageBuilder.Built built) {
    return built.tar()
        .map(t -> built.image() + "  image id " + built.imageId() + "  " + platformList(built) + "  -> " + t)
        .orElse(built.image() + "@" + built.digest() + "  " + platformList(built));
  }

  private static String platformList(ImageBuilder.Built built) {
    return built.platforms().stream().map(Platform::toString).collect(Collectors.joining(","));
  }

  private static String toJson(List<ImageBuilder.Built> built) {
    ArrayNode images = JSON.createArrayNode();
    for (ImageBuilder.Built b : built) {
      ObjectNode node = images.addObject();
      node.put("name", b.app().name());
      node.put("image", b.image());
      // As on the text line: a push has a registry digest, a tar only its image ID.
      if (b.tar().isEmpty()) {
        node.put("digest", b.digest());
      } else {
        node.put("imageId", b.imageId());
      }
      ArrayNode platforms = node.putArray("platforms");
      b.platforms().forEach(p -> platforms.add(p.toString()));
      b.tar().ifPresent(t -> node.put("tar", t.toString()));
    }
    return images.toString();
  }
}
