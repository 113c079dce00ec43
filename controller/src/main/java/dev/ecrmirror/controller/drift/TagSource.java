package dev.ecrmirror.controller.drift;

import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.tags.TagLister;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Lists a source repository's tags for a repository row (the registry's tag list, or a lister that also gives digests). */
@FunctionalInterface
public interface TagSource {
  /**
   * A repository's tags.
   *
   * @param tags every tag, in the order listed
   * @param digests the manifest digest of tags the listing names one for (an ECR listing does; the
   *     registry API does not); a tag without one is resolved with a {@code HEAD}
   */
  record Listing(List<String> tags, Map<String, Digest> digests) {
    public Listing {
      tags = List.copyOf(tags);
      digests = Map.copyOf(digests);
    }
  }

  /** Lists the repository; throws (any runtime exception) when it cannot, naming what failed. */
  Listing list(ImageReference repository);

  /** The registry API's paginated {@code /v2/<name>/tags/list}: tags without digests. */
  static TagSource registry(RegistryClient client) {
    return of(new TagLister(client, Optional.empty()));
  }

  /** Lists with the shared lister (ECR repositories through the ECR API, with digests, when it has one). */
  static TagSource of(TagLister lister) {
    return repository -> {
      TagLister.Listing listing = lister.list(repository);
      return new Listing(listing.tags(), listing.digests());
    };
  }
}
