package dev.ecrmirror.controller.table;

import dev.ecrmirror.common.manifest.Platform;
import dev.ecrmirror.common.ref.ImageReference;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A row the controller understood: copy {@code source} to every destination, keeping only
 * {@code platforms} when any are named.
 */
public record MirrorRow(String key, ImageReference source, List<Destination> destinations, List<Platform> platforms,
    boolean enabled, RowState state, Map<String, AttributeValue> item) implements ParsedRow {

  public MirrorRow {
    destinations = List.copyOf(destinations);
    platforms = List.copyOf(platforms);
  }

  /** The platform selection as one normalized string ({@code linux/amd64,linux/arm64}), empty for all. */
  public String platformsKey() {
    return platforms.stream().map(Platform::toString).sorted().collect(Collectors.joining(","));
  }
}
