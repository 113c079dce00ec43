package dev.ecrmirror.common.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecrmirror.common.auth.Credential;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.testing.StubHttpServer;
import dev.ecrmirror.common.testing.StubHttpServer.Request;
import dev.ecrmirror.common.testing.StubHttpServer.Response;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The registry client's auth dance and redirects, against small stub registries that check what they receive. */
class RegistryClientAuthTest {
  private static final Digest DIGEST = Digest.sha256("manifest".getBytes(StandardCharsets.UTF_8));
  private StubHttpServer registry;
  private StubHttpServer storage;

  @AfterEach
  void stop() {
    if (registry != null) {
      registry.close();
    }
    if (storage != null) {
      storage.close();
    }
  }

  private static RegistryClient client(String user, String password) {
    return new RegistryClient(RegistryOptions.defaults()
        .withCredentials(r -> user == null ? Optional.empty() : Optional.of(Credential.basic(user, password)))
        .withRetryTimes(1).withInitialBackoff(Duration.ofMillis(1)));
  }

  /** A registry that wants a Bearer token from its own /token realm, issued for user:pass only. */
  private StubHttpServer tokenRegistry() throws Exception {
    StubHttpServer[] self = new StubHttpServer[1];
    self[0] = StubHttpServer.start(request -> {
      String path = request.uri().getPath();
      if (path.equals("/token")) {
        String expected = Credential.basic("user", "pass").basicHeader();
        if (!expected.equals(request.header("Authorization"))) {
          return Response.of(401, "application/json", "{\"details\":\"bad login\"}");
        }
        String scopes = String.join(" ", URLDecoder.decode(request.uri().getRawQuery(), StandardCharsets.UTF_8).split("&"));
        return Response.of(200, "application/json", "{\"token\":\"T-" + scopes.hashCode() + "\",\"expires_in\":300}");
      }
      String auth = request.header("Authorization");
      if (auth == null || !auth.startsWith("Bearer T-")) {
        return new Response(401, Map.of("WWW-Authenticate",
            "Bearer realm=\"" + self[0].uri() + "/token\",service=\"stub-registry\""), new byte[0]);
      }
      if (path.endsWith("/blobs/uploads/")) {
        return new Response(201, Map.of("Location", "/v2/x/blobs/" + DIGEST), new byte[0]);
      }
      return new Response(200, Map.of("Docker-Content-Digest", DIGEST.toString(),
          "Content-Type", "application/vnd.oci.image.manifest.v1+json"), new byte[0]);
    });
    return self[0];
  }

  private static String decodedQuery(Request r) {
    return URLDecoder.decode(r.uri().getRawQuery(), StandardCharsets.UTF_8);
  }

  @Test
  void answersBearerChallengeWithATokenForExactlyThePullScopeAndReusesIt() throws Exception {
    registry = tokenRegistry();
    RegistryClient client = client("user", "pass");
    ImageReference ref = ImageReference.parse(registry.host() + "/team/app:1");

    assertThat(client.headManifest(ref)).hasValueSatisfying(h -> assertThat(h.digest()).isEqualTo(DIGEST));
    assertThat(client.headManifest(ref)).isPresent();

    var tokenRequests = registry.requests().stream().filter(r -> r.uri().getPath().equals("/token")).toList();
    assertThat(tokenRequests).hasSize(1);
    assertThat(decodedQuery(tokenRequests.get(0))).contains("service=stub-registry").contains("scope=repository:team/app:pull");
    // One 401 round trip, then the token is sent up front.
    assertThat(registry.requests().stream().filter(r -> r.uri().getPath().startsWith("/v2/"))).hasSize(3);
  }

  @Test
  void mountAsksForPushOnTheTargetAndPullOnTheSource() throws Exception {
    registry = tokenRegistry();
    RegistryClient client = client("user", "pass");

    boolean mounted = client.mountBlob(ImageReference.parse(registry.host() + "/dst/x"), DIGEST,
        ImageReference.parse(registry.host() + "/src/y"));

    assertThat(mounted).isTrue();
    Request token = registry.requests().stream().filter(r -> r.uri().getPath().equals("/token")).findFirst().orElseThrow();
    assertThat(decodedQuery(token)).contains("scope=repository:dst/x:pull,push").contains("scope=repository:src/y:pull");
    Request mount = registry.requests().stream().filter(r -> r.method().equals("POST")).reduce((a, b) -> b).orElseThrow();
    assertThat(decodedQuery(mount)).isEqualTo("mount=" + DIGEST + "&from=src/y");
  }

  @Test
  void rejectedLoginNamesTheUserButNeverThePassword() throws Exception {
    registry = tokenRegistry();
    RegistryClient client = client("user", "wrong-password-123");

    assertThatThrownBy(() -> client.headManifest(ImageReference.parse(registry.host() + "/team/app:1")))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("rejected the login for user 'user'")
        .hasMessageNotContaining("wrong-password-123");
  }

  @Test
  void answersBasicChallengeWithTheLogin() throws Exception {
    String expected = Credential.basic("u", "p").basicHeader();
    registry = StubHttpServer.start(request -> expected.equals(request.header("Authorization"))
        ? new Response(200, Map.of("Docker-Content-Digest", DIGEST.toString()), new byte[0])
        : new Response(401, Map.of("WWW-Authenticate", "Basic realm=\"stub\""), new byte[0]));

    assertThat(client("u", "p").headManifest(ImageReference.parse(registry.host() + "/a/b:1"))).isPresent();
    assertThatThrownBy(() -> client(null, null).headManifest(ImageReference.parse(registry.host() + "/a/b:1")))
        .hasMessageContaining("requires a login");
  }

  @Test
  void blobRedirectToAnotherHostDropsTheAuthorizationHeader() throws Exception {
    byte[] content = "layer bytes".getBytes(StandardCharsets.UTF_8);
    Digest digest = Digest.sha256(content);
    storage = StubHttpServer.start(request -> request.header("Authorization") != null
        ? Response.of(400, "text/plain", "Only one auth mechanism allowed")
        : new Response(200, Map.of(), content));
    registry = StubHttpServer.start(request -> request.header("Authorization") == null
        ? new Response(401, Map.of("WWW-Authenticate", "Basic realm=\"stub\""), new byte[0])
        : new Response(307, Map.of("Location", storage.uri() + "/bucket/" + digest.hex() + "?X-Amz-Signature=abc"), new byte[0]));

    RegistryClient.BlobStream blob = client("u", "p").openBlob(ImageReference.parse(registry.host() + "/a/b"), digest, 0);

    try (var in = blob.body()) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
    assertThat(storage.requests()).singleElement().satisfies(r -> {
      assertThat(r.header("Authorization")).isNull();
      assertThat(r.uri().getQuery()).contains("X-Amz-Signature=abc");
    });
  }

  @Test
  void retriesServerErrorsAndHonoursRetryAfter() throws Exception {
    int[] calls = {0};
    registry = StubHttpServer.start(request -> ++calls[0] == 1
        ? new Response(429, Map.of("Retry-After", "0"), new byte[0])
        : new Response(200, Map.of("Docker-Content-Digest", DIGEST.toString()), new byte[0]));

    assertThat(client(null, null).headManifest(ImageReference.parse(registry.host() + "/a/b:1"))).isPresent();
    assertThat(calls[0]).isEqualTo(2);
  }

  @Test
  void insecureRegistriesUsePlainHttpAndOthersTls() {
    RegistryClient client = new RegistryClient(RegistryOptions.defaults().withInsecureRegistries(Set.of("registry.lan:5000")));
    assertThat(client.base(ImageReference.parse("registry.lan:5000/a")).getScheme()).isEqualTo("http");
    assertThat(client.base(ImageReference.parse("localhost:5000/a")).getScheme()).isEqualTo("http");
    assertThat(client.base(ImageReference.parse("registry.lan/a")).getScheme()).isEqualTo("https");
    assertThat(client.base(ImageReference.parse("alpine")).toString()).isEqualTo("https://registry-1.docker.io/");
  }
}
