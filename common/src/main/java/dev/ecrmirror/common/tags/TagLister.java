package dev.ecrmirror.common.tags;

import dev.ecrmirror.common.aws.EcrImages;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Lists the tags of a repository row's source: ECR repositories through the ECR API, which also
 * gives every tag's digest, and every other registry through the distribution API's paginated
 * {@code tags/list}. Each page is one request against the registry's budget; none is a pull.
 */
public final class TagLister {
  /** Tags asked for per page of {@code tags/list}. */
  public static final int DEFAULT_PAGE_SIZE = 1000;

  private final RegistryClient registry;
  private final Optional<EcrImages> ecr;
  private final int pageSize;

  /**
   * A repository's tags.
   *
   * @param tags every tag, in the order the registry listed them
   * @param digests the digest of each tag, where the listing gave it (ECR); other registries give
   *     none, so their tags need a manifest {@code HEAD} each
   * @param requests how many requests the listing took
   */
  public record Listing(List<String> tags, Map<String, Digest> digests, int requests) {
    public Listing {
      tags = List.copyOf(tags);
      digests = Collections.unmodifiableMap(new LinkedHashMap<>(digests));
    }
  }

  /** A lister that asks for {@value #DEFAULT_PAGE_SIZE} tags a page; {@code ecr} empty lists ECR like any registry. */
  public TagLister(RegistryClient registry, Optional<EcrImages> ecr) {
    this(registry, ecr, DEFAULT_PAGE_SIZE);
  }

  public TagLister(RegistryClient registry, Optional<EcrImages> ecr, int pageSize) {
    if (pageSize < 1) {
      throw new IllegalArgumentException("tag page size must be 1 or more, not " + pageSize);
    }
    this.registry = registry;
    this.ecr = ecr;
    this.pageSize = pageSize;
  }

  /**
   * Every tag of the repository (the reference's tag or digest, if any, is ignored). Throws the
   * registry's error, naming the repository, when it cannot be listed (404 when it does not exist).
   */
  public Listing list(ImageReference repository) {
    if (ecr.isPresent() && EcrImages.handles(repository)) {
      EcrImages.Tags tags = ecr.get().list(repository);
      return new Listing(new ArrayList<>(tags.digests().keySet()), tags.digests(), tags.requests());
    }
    RegistryClient.TagList tags = registry.listTagPages(repository, pageSize);
    return new Listing(tags.tags(), Map.of(), tags.requests());
  }
}
