package dev.ecrmirror.controller.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.ref.InvalidReferenceException;
import java.io.IOException;
import java.util.Optional;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.RegionMetadata;

/**
 * An ECR "ECR Image Action" event as EventBridge delivers it, reduced to the image it names.
 *
 * @see <a href="https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html">ECR events</a>
 */
public record PushEvent(String account, String region, String repository, Optional<String> tag, String digest) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Parses a message body. Empty when the body is an event that needs no work (not a successful
   * push, or a push without a tag); throws {@link IllegalArgumentException} when it is not an ECR event.
   */
  public static Optional<PushEvent> parse(String body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON");
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    JsonNode detail = root.path("detail");
    String account = root.path("account").asText("");
    String region = root.path("region").asText("");
    String repository = detail.path("repository-name").asText("");
    if (account.isEmpty() || region.isEmpty() || repository.isEmpty()) {
      throw new IllegalArgumentException("not an ECR image event (account, region or detail.repository-name missing)");
    }
    if (!"PUSH".equals(detail.path("action-type").asText()) || !"SUCCESS".equals(detail.path("result").asText())) {
      return Optional.empty();
    }
    String tag = detail.path("image-tag").asText("");
    return Optional.of(new PushEvent(account, region, repository,
        tag.isEmpty() ? Optional.empty() : Optional.of(tag), detail.path("image-digest").asText("")));
  }

  /**
   * {@code ACCOUNT.dkr.ecr.REGION.DOMAIN}: the domain of the region's partition ({@code amazonaws.com},
   * {@code amazonaws.com.cn} in China), {@code amazonaws.com} for a region the SDK does not know yet.
   */
  public String registry() {
    RegionMetadata metadata = RegionMetadata.of(Region.of(region));
    return account + ".dkr.ecr." + region + "." + (metadata == null ? "amazonaws.com" : metadata.domain());
  }

  /** True when a row's source is the image this event pushed (same registry, repository and tag). */
  public boolean touches(ImageReference source) {
    if (!source.registry().equals(registry()) || !source.repository().equals(repository)) {
      return false;
    }
    if (source.digest().isPresent()) {
      // A source pinned by digest never moves; a push cannot drift it.
      return false;
    }
    return tag.isPresent() && source.effectiveTag().equals(tag);
  }

  /**
   * True when a repository row's source is the repository this event pushed to: any tagged push
   * may be one its rules select (the check lists the repository and decides).
   */
  public boolean touchesRepository(ImageReference source) {
    return source.registry().equals(registry()) && source.repository().equals(repository) && tag.isPresent();
  }

  /** The image as a reference, for messages. */
  public String describe() {
    try {
      return ImageReference.parse(registry() + "/" + repository + tag.map(t -> ":" + t).orElse("")).toString();
    } catch (InvalidReferenceException e) {
      return registry() + "/" + repository + tag.map(t -> ":" + t).orElse("");
    }
  }
}
