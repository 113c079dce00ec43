package dev.ecrmirror.controller.table;

import dev.ecrmirror.common.ref.ImageReference;

/**
 * One destination of a row.
 *
 * @param written the reference as the row writes it (what the worker is given)
 * @param target where the image lands: a destination with neither tag nor digest takes the
 *     source's tag, as the worker does
 */
public record Destination(String written, ImageReference target) {

  /** Resolves a destination the user wrote against the row's source. */
  public static Destination of(String written, ImageReference source) {
    ImageReference ref = ImageReference.parse(written);
    if (ref.isBare()) {
      if (source.tag().isPresent()) {
        ref = ref.withTag(source.tag().get());
      } else if (source.digest().isPresent()) {
        ref = ref.withDigest(source.digest().get());
      }
    }
    return new Destination(written, ref);
  }

  /** The key of this destination in {@code DestinationDigests}. */
  public String key() {
    return target.toString();
  }
}
