package dev.ecrmirror.controller.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Posts a message to Slack, through an incoming webhook or, with a bot token, to a channel through
 * the Web API's {@code chat.postMessage}: a short timeout so a hanging Slack never stalls a run, and
 * one retry when Slack answers an error. The URL and the token are secrets: nothing here ever says them.
 */
public final class SlackWebhook {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The pause before the one retry: enough for a blip, short enough not to hold a run up. */
  private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

  /** Slack's Web API method that posts a message as a bot. */
  public static final URI POST_MESSAGE = URI.create("https://slack.com/api/chat.postMessage");

  private final URI url;
  private final Duration timeout;
  private final Optional<String> token;
  private final Optional<String> channel;

  /** An incoming webhook; {@code timeout} bounds connecting, and again the wait for Slack's answer. */
  public SlackWebhook(URI url, Duration timeout) {
    this(url, timeout, Optional.empty(), Optional.empty());
  }

  private SlackWebhook(URI url, Duration timeout, Optional<String> token, Optional<String> channel) {
    this.url = url;
    this.timeout = timeout;
    this.token = token;
    this.channel = channel;
  }

  /** A bot posting to {@code channel} with {@code token} through {@code api} ({@link #POST_MESSAGE}). */
  public static SlackWebhook bot(URI api, String token, String channel, Duration timeout) {
    return new SlackWebhook(api, timeout, Optional.of(token), Optional.of(channel));
  }

  /** Checks that {@code value} is an http(s) URL with a host; the reason it is not, never quoting it. */
  public static Optional<String> problem(String value) {
    try {
      URI u = URI.create(value.strip());
      if (u.getHost() == null || !("https".equals(u.getScheme()) || "http".equals(u.getScheme()))) {
        return Optional.of("is not an https:// URL");
      }
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of("is not a URL");
    }
  }

  /** The Web API's error code when its answer says {@code "ok": false}. */
  private static Optional<String> apiError(String body) {
    try {
      var answer = JSON.readTree(body == null ? "" : body);
      if (answer != null && answer.path("ok").isBoolean() && !answer.path("ok").asBoolean()) {
        return Optional.of(answer.path("error").asText("an error"));
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("something that is not JSON");
    }
  }

  /**
   * How a post went.
   *
   * @param delivered Slack took it
   * @param attempts posts sent (1, or 2 after a retry)
   * @param problem why it was not taken, if it was not: an HTTP status or what the connection did
   */
  public record Delivery(boolean delivered, int attempts, Optional<String> problem) {}

  /** Posts {@code text}; retries once on a 5xx or 429 answer or a refused connection, never on a timeout. */
  public Delivery post(String text) {
    String body;
    try {
      body = JSON.writeValueAsString(channel.isPresent() ? Map.of("channel", channel.get(), "text", text)
          : Map.of("text", text));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    try {
      String problem = null;
      for (int attempt = 1; attempt <= 2; attempt++) {
        boolean retry;
        try {
          HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout)
              .header("Content-Type", "application/json; charset=utf-8");
          token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
          HttpResponse<String> r = http.send(request.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
              HttpResponse.BodyHandlers.ofString());
          Optional<String> refused = token.isPresent() && r.statusCode() / 100 == 2 ? apiError(r.body()) : Optional.empty();
          if (r.statusCode() / 100 == 2 && refused.isEmpty()) {
            return new Delivery(true, attempt, Optional.empty());
          }
          if (refused.isPresent()) {
            // The Web API answers 200 with {"ok":false,"error":"channel_not_found"}: only a rate limit is worth a retry.
            problem = "Slack said " + refused.get();
            retry = refused.get().equals("ratelimited");
            if (!retry || attempt == 2) {
              return new Delivery(false, attempt, Optional.of(problem));
            }
            Thread.sleep(RETRY_PAUSE.toMillis());
            continue;
          }
          // Slack's error bodies are short codes (no_service, invalid_payload), safe to show.
          String said = r.body() == null ? "" : r.body().strip();
          problem = "HTTP " + r.statusCode() + (said.isEmpty() || said.length() > 100 ? "" : " " + said);
          retry = r.statusCode() >= 500 || r.statusCode() == 429;
        } catch (HttpConnectTimeoutException e) {
          problem = "no connection within " + timeout.toSeconds() + " s";
          retry = false;
        } catch (HttpTimeoutException e) {
          problem = "no answer within " + timeout.toSeconds() + " s";
          retry = false;
        } catch (ConnectException e) {
          problem = "connection refused";
          retry = true;
        } catch (IOException | UnresolvedAddressException e) {
          // Exception messages may carry the URL: name the kind of failure only.
          problem = "cannot reach it (" + e.getClass().getSimpleName() + ")";
          retry = true;
        }
        if (!retry || attempt == 2) {
          return new Delivery(false, attempt, Optional.of(problem));
        }
        Thread.sleep(RETRY_PAUSE.toMillis());
      }
      return new Delivery(false, 2, Optional.ofNullable(problem));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Delivery(false, 1, Optional.of("interrupted"));
    } finally {
      http.shutdownNow();
    }
  }
}
