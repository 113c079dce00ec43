package dev.ecrmirror.common.tags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryException;
import dev.ecrmirror.common.registry.RegistryOptions;
import dev.ecrmirror.common.testing.StubHttpServer;
import dev.ecrmirror.common.testing.StubHttpServer.Request;
import dev.ecrmirror.common.testing.StubHttpServer.Response;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tag listing with {@code Link} pagination against a stub registry. A stub, not the real
 * docker-registry (which {@code TagListerIT} also uses): docker-registry 2.8 only ever sends
 * relative links in one form, and a test of a client that follows links must also see the
 * absolute links and opaque cursors Docker Hub, GHCR and Quay send, pages shorter than asked for,
 * and a link that loops.
 */
class TagListerTest {
  private static final List<String> TAGS = IntStream.rangeClosed(1, 11).mapToObj(i -> "1." + i + ".0")
      .collect(Collectors.toList());
  private StubHttpServer registry;

  @AfterEach
  void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  private static RegistryClient client() {
    return new RegistryClient(RegistryOptions.defaults().withRetryTimes(0).withInitialBackoff(Duration.ofMillis(1)));
  }

  private static Map<String, String> query(Request request) {
    Map<String, String> out = new LinkedHashMap<>();
    String raw = request.uri().getRawQuery();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        out.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  /**
   * Serves {@link #TAGS} of {@code team/app} after {@code last}, at most {@code n} (capped at 4, as
   * registries cap pages) a page; the next link is relative on odd pages and absolute on even ones.
   */
  private StubHttpServer pagingRegistry() throws Exception {
    StubHttpServer[] self = new StubHttpServer[1];
    self[0] = StubHttpServer.start(request -> {
      if (!request.uri().getPath().equals("/v2/team/app/tags/list")) {
        return Response.of(404, "application/json",
            "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"repository name not known to registry\"}]}");
      }
      Map<String, String> q = query(request);
      int n = Math.min(4, Integer.parseInt(q.getOrDefault("n", "100")));
      int from = q.containsKey("last") ? TAGS.indexOf(q.get("last")) + 1 : 0;
      List<String> page = TAGS.subList(from, Math.min(TAGS.size(), from + n));
      String body = "{\"name\":\"team/app\",\"tags\":[" + page.stream().map(t -> "\"" + t + "\"")
          .collect(Collectors.joining(",")) + "]}";
      Map<String, String> headers = new LinkedHashMap<>(Map.of("Content-Type", "application/json"));
      if (from + n < TAGS.size()) {
        String next = "/v2/team/app/tags/list?last=" + page.get(page.size() - 1) + "&n=" + q.get("n");
        boolean absolute = (from / 4) % 2 == 1;
        headers.put("Link", "<" + (absolute ? self[0].uri() + next : next) + ">; rel=\"next\"");
      }
      return new Response(200, headers, body.getBytes(StandardCharsets.UTF_8));
    });
    return self[0];
  }

  @Test
  void followsRelativeAndAbsoluteLinksAcrossEveryPage() throws Exception {
    registry = pagingRegistry();
    TagLister lister = new TagLister(client(), Optional.empty(), 1000);

    TagLister.Listing listing = lister.list(ImageReference.parse(registry.host() + "/team/app"));

    assertThat(listing.tags()).containsExactlyElementsOf(TAGS);
    assertThat(listing.digests()).isEmpty();
    assertThat(listing.requests()).isEqualTo(3).isEqualTo(registry.requests().size());
    List<Map<String, String>> asked = new ArrayList<>();
    registry.requests().forEach(r -> asked.add(query(r)));
    assertThat(asked).containsExactly(
        Map.of("n", "1000"),
        Map.of("last", "1.4.0", "n", "1000"),
        Map.of("last", "1.8.0", "n", "1000"));
    assertThat(registry.requests()).allSatisfy(r -> assertThat(r.method()).isEqualTo("GET"));
  }

  @Test
  void asksForTheConfiguredPageSize() throws Exception {
    registry = pagingRegistry();
    TagLister lister = new TagLister(client(), Optional.empty(), 2);

    TagLister.Listing listing = lister.list(ImageReference.parse(registry.host() + "/team/app:ignored"));

    assertThat(listing.tags()).containsExactlyElementsOf(TAGS);
    assertThat(listing.requests()).isEqualTo(6);
    assertThat(registry.requests()).allSatisfy(r -> assertThat(query(r)).containsEntry("n", "2"));
    assertThat(registry.requests().get(5).uri().getRawQuery()).isEqualTo("last=1.10.0&n=2");
  }

  @Test
  void aRepositoryTheRegistryDoesNotKnowIsAnErrorNamingIt() throws Exception {
    registry = pagingRegistry();
    TagLister lister = new TagLister(client(), Optional.empty());

    assertThatThrownBy(() -> lister.list(ImageReference.parse(registry.host() + "/team/gone")))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isNotFound()).isTrue())
        .hasMessageContaining("list tags of " + registry.host() + "/team/gone")
        .hasMessageContaining("NAME_UNKNOWN")
        .hasMessageNotContaining("\n");
    assertThat(registry.requests()).hasSize(1);
  }

  @Test
  void aLinkThatLoopsBackStopsTheListing() throws Exception {
    registry = StubHttpServer.start(request -> new Response(200, Map.of("Content-Type", "application/json",
        "Link", "</v2/team/app/tags/list?n=1000>; rel=\"next\""),
        "{\"tags\":[\"1\"]}".getBytes(StandardCharsets.UTF_8)));
    TagLister lister = new TagLister(client(), Optional.empty());

    assertThatThrownBy(() -> lister.list(ImageReference.parse(registry.host() + "/team/app")))
        .hasMessageContaining("loops back");
    assertThat(registry.requests()).hasSize(1);
  }

  @Test
  void aPageSizeBelowOneIsRefused() {
    assertThatThrownBy(() -> new TagLister(client(), Optional.empty(), 0)).hasMessageContaining("1 or more, not 0");
  }
}
