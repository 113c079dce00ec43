package dev.ecrmirror.common.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryOptions;
import dev.ecrmirror.common.testing.StubHttpServer;
import dev.ecrmirror.common.testing.StubHttpServer.Response;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The login options ({@code --src-creds}, {@code --dest-token}, their variables) against stub
 * registries. The bearer-token case needs a registry that takes a token it did not issue itself:
 * docker-registry only does htpasswd (Basic) or tokens from its own token service, so a small stub
 * stands in, recording the headers it receives.
 */
class RegistryCliOptionsTest {
  private static final Digest DIGEST = Digest.sha256("m".getBytes(StandardCharsets.UTF_8));

  @TempDir
  Path dir;

  private static RegistryCliOptions parse(String... args) {
    RegistryCliOptions options = new RegistryCliOptions();
    CommandSpec spec = CommandSpec.create();
    spec.addMixin("registry", options.mixin());
    new CommandLine(spec).parseArgs(args);
    return options;
  }

  /** A registry that answers a manifest HEAD only to {@code expected}, challenging with a Bearer realm otherwise. */
  private static StubHttpServer registry(String expected) throws Exception {
    StubHttpServer[] self = new StubHttpServer[1];
    self[0] = StubHttpServer.start(r -> {
      if (expected.equals(r.header("Authorization"))) {
        return new Response(200, Map.of("Docker-Content-Digest", DIGEST.toString(),
            "Content-Type", "application/vnd.oci.image.manifest.v1+json"), new byte[0]);
      }
      return new Response(401, Map.of("WWW-Authenticate", "Bearer realm=\"" + self[0].uri() + "/token\""), new byte[0]);
    });
    return self[0];
  }

  @Test
  void aSourceTokenIsSentAsIsAndNeverExchanged() throws Exception {
    try (StubHttpServer src = registry("Bearer tok-123"); StubHttpServer dest = registry("Bearer other")) {
      RegistryCliOptions options = parse("--src-token", "tok-123");
      ImageReference source = ImageReference.parse(src.host() + "/app:1");
      ImageReference destination = ImageReference.parse(dest.host() + "/app:1");
      options.roles().source(source);
      options.roles().destination(destination);
      RegistryClient client = new RegistryClient(options.toRegistryOptions(Map.of()).withRetryTimes(0));

      assertThat(client.headManifest(source)).map(RegistryClient.ManifestHead::digest).contains(DIGEST);
      assertThat(src.requests()).noneMatch(r -> r.uri().getPath().equals("/token"));
      assertThatThrownBy(() -> client.headManifest(destination)).as("the source's token is not the destination's");
      assertThat(dest.requests()).noneMatch(r -> "Bearer tok-123".equals(r.header("Authorization")));
    }
  }

  @Test
  void destinationCredentialsFromTheEnvironmentWinOverTheAuthFile() throws Exception {
    String good = "Basic " + java.util.Base64.getEncoder().encodeToString("ci:right-pass".getBytes(StandardCharsets.UTF_8));
    try (StubHttpServer dest = StubHttpServer.start(r -> good.equals(r.header("Authorization"))
        ? new Response(404, Map.of(), new byte[0])
        : new Response(401, Map.of("WWW-Authenticate", "Basic realm=\"stub\""), new byte[0]))) {
      Path authFile = Files.writeString(dir.resolve("config.json"), "{\"auths\":{\"" + dest.host() + "\":{\"auth\":\""
          + java.util.Base64.getEncoder().encodeToString("ci:stale-pass".getBytes(StandardCharsets.UTF_8)) + "\"}}}");
      RegistryCliOptions options = parse("--auth-file", authFile.toString());
      ImageReference destination = ImageReference.parse(dest.host() + "/app:1");
      options.roles().destination(destination);
      RegistryOptions registry = options.toRegistryOptions(Map.of(RegistryCliOptions.DEST_CREDS_ENV, "ci:right-pass"));

      assertThat(new RegistryClient(registry.withRetryTimes(0)).headManifest(destination)).as("404: logged in, no such image").isEmpty();
    }
  }

  @Test
  void badValuesAreRefusedWithoutShowingThem() {
    assertThatThrownBy(() -> parse("--src-creds", "no-colon-s3cret").toRegistryOptions(Map.of()))
        .hasMessageContaining("--src-creds must be USER:PASS").hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> parse().toRegistryOptions(Map.of(RegistryCliOptions.DEST_CREDS_ENV, "user:")))
        .hasMessageContaining("$" + RegistryCliOptions.DEST_CREDS_ENV);
    assertThatThrownBy(() -> parse("--dest-creds", "u:p", "--dest-token", "t").toRegistryOptions(Map.of()))
        .hasMessage("--dest-creds and --dest-token are both given: pass one");
  }

  @Test
  void helpAndParseErrorsNeverPrintASecret() {
    RegistryCliOptions options = new RegistryCliOptions();
    CommandSpec spec = CommandSpec.create();
    spec.addMixin("registry", options.mixin());
    StringWriter help = new StringWriter();
    new CommandLine(spec).usage(new PrintWriter(help));
    assertThat(help.toString()).contains("--src-creds=USER:PASS", "--dest-token=TOKEN", "--certs-dir=DIR",
        "$" + RegistryCliOptions.SRC_CREDS_ENV);

    String[] typo = {"--dest-cred=ci:Typo-S3cret", "--src-tokn", "Tok-S3cret"};
    String message = "Unknown options: '--dest-cred=ci:Typo-S3cret', '--src-tokn', 'Tok-S3cret'";
    assertThat(RegistryCliOptions.redact(message, typo)).doesNotContain("Typo-S3cret", "Tok-S3cret").contains("--dest-cred");
  }
}
