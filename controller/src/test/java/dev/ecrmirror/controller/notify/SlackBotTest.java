package dev.ecrmirror.controller.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Posting as a bot to a channel through {@code chat.postMessage}. Slack's Web API is a loopback
 * HTTP server (the JDK's): nothing real serves it offline, so this one records each post with its
 * Authorization header and answers as Slack does, 200 with {@code {"ok": ...}}.
 */
class SlackBotTest {
  private static final String TOKEN = "xoxb-0000-SeCrEtToKeN";

  HttpServer api;
  final List<String> bodies = new CopyOnWriteArrayList<>();
  final List<String> authorizations = new CopyOnWriteArrayList<>();
  volatile String answer = "{\"ok\":true}";

  @BeforeEach
  void start() throws IOException {
    api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    api.createContext("/api/chat.postMessage", exchange -> {
      bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
      byte[] body = answer.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    api.start();
  }

  @AfterEach
  void stop() {
    api.stop(0);
  }

  SlackWebhook bot() {
    return SlackWebhook.bot(URI.create("http://127.0.0.1:" + api.getAddress().getPort() + "/api/chat.postMessage"),
        TOKEN, "C0123456789", Duration.ofSeconds(2));
  }

  @Test
  void postsTheTextToTheChannelWithTheBotsToken() throws Exception {
    SlackWebhook.Delivery d = bot().post("2 rows: 1 failing");
    assertThat(d.delivered()).isTrue();
    assertThat(authorizations).containsExactly("Bearer " + TOKEN);
    var body = new ObjectMapper().readTree(bodies.getFirst());
    assertThat(body.path("channel").asText()).isEqualTo("C0123456789");
    assertThat(body.path("text").asText()).isEqualTo("2 rows: 1 failing");
  }

  @Test
  void aRefusalInTheAnswerIsNotADeliveryAndSaysWhyWithoutTheToken() {
    answer = "{\"ok\":false,\"error\":\"channel_not_found\"}";
    SlackWebhook.Delivery d = bot().post("x");
    assertThat(d.delivered()).isFalse();
    assertThat(d.attempts()).as("a refusal is not retried").isEqualTo(1);
    assertThat(d.problem()).hasValue("Slack said channel_not_found");
    assertThat(d.problem().get()).doesNotContain(TOKEN);
  }

  @Test
  void aRateLimitIsRetriedOnce() {
    answer = "{\"ok\":false,\"error\":\"ratelimited\"}";
    SlackWebhook.Delivery d = bot().post("x");
    assertThat(d.delivered()).isFalse();
    assertThat(d.attempts()).isEqualTo(2);
    assertThat(bodies).hasSize(2);
  }
}
