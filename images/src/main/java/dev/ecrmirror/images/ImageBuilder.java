package dev.ecrmirror.images;

import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.CredentialRetriever;
import com.google.cloud.tools.jib.api.InsecureRegistryException;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryAuthenticationFailedException;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.RegistryUnauthorizedException;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.registry.credentials.CredentialRetrievalException;
import dev.ecrmirror.common.auth.CredentialProvider;
import dev.ecrmirror.common.manifest.Platform;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.retry.RetryPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * Builds one job image with jib-core on the resolved base: one layer holding the jar, the fixed
 * entrypoint, container JVM flags, a non-root user and OCI labels. Nothing depends on the clock
 * or the build machine, so the same jar, base and options give the same digest.
 */
final class ImageBuilder {
  /** Heap as a share of the container's memory, and a crash rather than a limp on OOM (Batch retries). */
  static final String JAVA_TOOL_OPTIONS = "-XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError";
  /** The distroless "nonroot" ids: numeric, so no passwd entry is needed in whatever base is used. */
  static final String USER = "65532:65532";
  /** Writable for any user in common bases; DynamoDB Local and temp files land in the working directory. */
  static final String WORKING_DIRECTORY = "/tmp";

  private static final Duration FIRST_RETRY_DELAY = Duration.ofSeconds(1);

  /**
   * What every image of one run shares.
   *
   * @param base the resolved base image
   * @param platforms the platforms to build (already matched against the base)
   * @param labels labels common to both images (version, revision, source, base)
   * @param credentials the login chain, asked for the base's and the target's registry
   * @param allowInsecure let jib fall back to plain HTTP: set only when every registry of the build is
   *     loopback or {@code --insecure-registry}
   * @param relayedBase per image, the base copied into its target repository (see {@link BaseRelay}),
   *     built from instead of the base's own registry; empty when no relay was needed
   * @param cacheDir jib's base-layer cache, or empty for jib's default
   * @param retryTimes how many times a failed build is retried (jib skips what was already pushed)
   * @param log receives jib's log messages
   */
  record Settings(BaseImage base, List<Platform> platforms, Map<String, String> labels, CredentialProvider credentials,
      boolean allowInsecure, Map<AppImage, ImageReference> relayedBase, Optional<Path> cacheDir, int retryTimes,
      Consumer<LogEvent> log) {}

  /**
   * What was built.
   *
   * @param app which image
   * @param image its full name
   * @param digest the pushed manifest's digest (of the manifest list when multi-platform)
   * @param imageId for a tar, the config digest: the image ID {@code docker load} reports
   * @param platforms the platforms built
   * @param tar the archive written, for a tar target
   */
  record Built(AppImage app, String image, String digest, String imageId, List<Platform> platforms, Optional<Path> tar) {}

  /** A build that failed, with a message that says which image and why. */
  static final class BuildFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    BuildFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Settings settings;

  ImageBuilder(Settings settings) {
    this.settings = settings;
  }

  /** Builds {@code app} from {@code jar} and pushes or writes it to {@code target}. */
  Built build(AppImage app, Path jar, Target target) throws BuildFailedException, InterruptedException {
    String name = target.name(app);
    List<Platform> platforms = target instanceof Target.Tar ? settings.platforms().subList(0, 1) : settings.platforms();
    RetryPolicy.Attempts attempts = RetryPolicy.defaults().withBase(FIRST_RETRY_DELAY)
        .withRetries(settings.retryTimes()).start();
    while (true) {
      try {
        JibContainer container = containerBuilder(app, jar, platforms).containerize(containerizer(target, app));
        Optional<Path> tar = target instanceof Target.Tar t ? Optional.of(t.file(app)) : Optional.empty();
        return new Built(app, name, container.getDigest().toString(), container.getImageId().toString(), platforms, tar);
      } catch (ExecutionException | RegistryException | IOException | CacheDirectoryCreationException e) {
        String reason = describe(e);
        if (!retryable(e) || !attempts.retryTransient()) {
          throw new BuildFailedException("building " + app.name() + " (" + name + ") failed: " + reason, e);
        }
        settings.log().accept(LogEvent.warn("building " + app.name() + " failed (" + reason + "); retrying"));
      }
    }
  }

  private JibContainerBuilder containerBuilder(AppImage app, Path jar, List<Platform> platforms) {
    FileEntriesLayer layer = FileEntriesLayer.builder()
        .setName("application")
        .addEntry(jar, AbsoluteUnixPath.get(app.containerJarPath()), FilePermissions.DEFAULT_FILE_PERMISSIONS,
            FileEntriesLayer.DEFAULT_MODIFICATION_TIME)
        .build();
    Set<com.google.cloud.tools.jib.api.buildplan.Platform> jibPlatforms = new LinkedHashSet<>();
    platforms.forEach(p -> jibPlatforms.add(new com.google.cloud.tools.jib.api.buildplan.Platform(p.architecture(), p.os())));
    Map<String, String> labels = new LinkedHashMap<>(settings.labels());
    labels.put(Labels.TITLE, app.title());
    labels.put(Labels.DESCRIPTION, app.description());
    ImageReference relayed = settings.relayedBase().get(app);
    RegistryImage from = relayed != null ? withCredentials(registryImage(relayed.toString()), relayed)
        : withCredentials(registryImage(settings.base().pinned()), settings.base().reference());
    return Jib.from(from)
        .setPlatforms(jibPlatforms)
        // jib 0.28 writes multi-platform images only as a Docker manifest list (its OCI index
        // support is unfinished); ECR, Batch and every runtime read that format.
        .setFormat(ImageFormat.Docker)
        .addFileEntriesLayer(layer)
        .setEntrypoint(app.entrypoint())
        // An empty command: the base's CMD (e.g. jshell) must not become arguments to our jar.
        .setProgramArguments(List.of())
        .addEnvironmentVariable("JAVA_TOOL_OPTIONS", JAVA_TOOL_OPTIONS)
        .setUser(USER)
        .setWorkingDirectory(AbsoluteUnixPath.get(WORKING_DIRECTORY))
        .setLabels(labels)
        .setCreationTime(Instant.EPOCH);
  }

  private Containerizer containerizer(Target target, AppImage app) {
    ImageReference name = target.reference(app);
    Containerizer containerizer = switch (target) {
      case Target.Registry r -> Containerizer.to(withCredentials(registryImage(name.toString()), name));
      case Target.Tar t -> Containerizer.to(TarImage.at(t.file(app)).named(jibReference(t.name(app))));
    };
    containerizer.setToolName("ecr-mirror-images")
        .setToolVersion(Version.PROJECT)
        .setAllowInsecureRegistries(settings.allowInsecure())
        .addEventHandler(LogEvent.class, settings.log());
    settings.cacheDir().ifPresent(containerizer::setBaseImageLayersCache);
    return containerizer;
  }

  private RegistryImage withCredentials(RegistryImage image, ImageReference reference) {
    CredentialProvider credentials = settings.credentials();
    String registry = reference.registry();
    CredentialRetriever retriever = () -> {
      try {
        return credentials.credentialFor(registry).map(c -> Credential.from(c.username(), c.secret()));
      } catch (RuntimeException e) {
        // ECR token failures (no AWS credentials, wrong region) must name the registry, not vanish in jib.
        throw new CredentialRetrievalException(new IllegalStateException(
            "getting credentials for " + registry + ": " + e.getMessage(), e));
      }
    };
    return image.addCredentialRetriever(retriever);
  }

  private static RegistryImage registryImage(String reference) {
    return RegistryImage.named(jibReference(reference));
  }

  private static com.google.cloud.tools.jib.api.ImageReference jibReference(String reference) {
    try {
      return com.google.cloud.tools.jib.api.ImageReference.parse(reference);
    } catch (InvalidImageReferenceException e) {
      // Our own parser accepted it first; jib's grammar is the same distribution grammar.
      throw new IllegalArgumentException("jib rejects image reference '" + reference + "'", e);
    }
  }

  private static boolean retryable(Exception e) {
    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    return !(cause instanceof RegistryUnauthorizedException || cause instanceof RegistryAuthenticationFailedException
        || cause instanceof InsecureRegistryException || cause instanceof CredentialRetrievalException
        || cause instanceof CacheDirectoryCreationException || cause instanceof IllegalArgumentException);
  }

  /** One line: the innermost meaningful message, with a hint where the fix is known. */
  static String describe(Throwable e) {
    Throwable cause = e;
    while ((cause instanceof ExecutionException || cause.getMessage() == null) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String message = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    if (cause instanceof CredentialRetrievalException && cause.getCause() != null) {
      message = cause.getCause().getMessage();
    }
    if (cause instanceof InsecureRegistryException) {
      message += " (for a plain-HTTP registry, pass --insecure-registry HOST:PORT)";
    }
    if (cause instanceof RegistryUnauthorizedException) {
      message += " (log in with --auth-file or ~/.docker/config.json; ECR needs AWS credentials)";
    }
    return message.replaceAll("\\s*\\R\\s*", " ");
  }
}
