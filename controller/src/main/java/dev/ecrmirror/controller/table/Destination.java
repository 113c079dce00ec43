package dev.ecrmirror.controller.table;

import dev.ecrmirror.common.ref.ImageReference;

/**
 * One destination of a row.
 *
 * @param written the reference as the row writes it (what the worker is given)
 * @param target where the image lands: a destination with neither tag nor digest takes the
 *     source's tag, as the worker does; a repository row's destination is a bare repository
 * @param repository true for a repository row's destination, which every selected tag goes to
 */
public record Destination(String written, ImageReference target, boolean repository) {

  public Destination(String written, ImageReference target) {
    this(written, target, false);
  }

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

  /** A repository row's destination: a repository, as written (a tag or digest in it is the caller's to refuse). */
  public static Destination ofRepository(String written) {
    return new Destination(written, ImageReference.parse(written), true);
  }

  /**
   * The key of this destination in {@code DestinationDigests}: the image reference, or for a
   * repository row the repository name (no {@code :latest} defaulting).
   */
  public String key() {
    return repository && target.isBare() ? target.name() : target.toString();
  }
}
