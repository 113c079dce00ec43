package dev.ecrmirror.controller.table;

import dev.ecrmirror.common.ExistingTags;
import dev.ecrmirror.common.manifest.Platform;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.tags.TagRules;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A row the controller understood: copy {@code source} to every destination, keeping only
 * {@code platforms} when any are named. A row with tag rules is a repository row: {@code source}
 * and the destinations are repositories, and every tag the rules select is mirrored to the same tag.
 *
 * @param key the {@code Source} key as stored, label suffix ({@code #LABEL}) included
 * @param rules the tag rules of a repository row; empty for a single-image row
 */
public record MirrorRow(String key, ImageReference source, List<Destination> destinations, List<Platform> platforms,
    Optional<TagRules> rules, boolean enabled, RowState state, Map<String, AttributeValue> item) implements ParsedRow {

  public MirrorRow {
    destinations = List.copyOf(destinations);
    platforms = List.copyOf(platforms);
  }

  /** True for a repository row (one with tag rules). */
  public boolean isRepository() {
    return rules.isPresent();
  }

  /**
   * The source as the worker is given it (the {@code source} job parameter): the key without its
   * label, so {@code nginx#prod} runs the worker on {@code nginx}.
   */
  public String sourceParameter() {
    return RowParser.reference(key);
  }

  /** The row's {@code ExistingTags} policy ({@code overwrite} when absent); {@link RowParser} has checked it. */
  public ExistingTags existingTags() {
    return RowParser.existingTags(item);
  }

  /** Whether the row's jobs copy the image's referrers (signatures, SBOMs): its {@code Referrers} attribute, default true. */
  public boolean referrers() {
    return RowParser.referrers(item);
  }

  /** The row's {@code RepositorySettings}, checked when the row was parsed; none when it has none. */
  public dev.ecrmirror.common.aws.RepositorySettings repositorySettings() {
    return RowSettings.read(item);
  }

  /** The platform selection as one normalized string ({@code linux/amd64,linux/arm64}), empty for all. */
  public String platformsKey() {
    return platforms.stream().map(Platform::toString).sorted().collect(Collectors.joining(","));
  }
}
