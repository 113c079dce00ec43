package dev.ecrmirror.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecrmirror.common.Json;
import dev.ecrmirror.common.manifest.Descriptor;
import dev.ecrmirror.common.manifest.Manifest;
import dev.ecrmirror.common.manifest.MediaTypes;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds what refers to an image in its source repository: the tags of the referrers tag schema
 * ({@code sha256-<hex>}, an index of the referrers) and of cosign ({@code sha256-<hex>.sig},
 * {@code .att}, {@code .sbom}), from one tag listing; and, where the registry serves it, the OCI
 * referrers API ({@code GET /v2/NAME/referrers/DIGEST}) for each subject.
 *
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#referrers-tag-schema">Referrers tag schema</a>
 * @see <a href="https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md">cosign signature tags</a>
 */
final class Referrers {
  /** The suffixes cosign gives its tags; the bare {@code sha256-<hex>} tag is the referrers tag schema's index. */
  static final List<String> TAG_SUFFIXES = List.of("", ".sig", ".att", ".sbom");
  /** BuildKit's attestation entries in an index: they describe an image, they are not images to sign. */
  private static final int TAG_PAGE = 1000;

  /**
   * What refers to one subject.
   *
   * @param tags the source's tags for it, in {@link #TAG_SUFFIXES} order
   * @param viaApi the referrers API's descriptors, as the registry wrote them; empty when it has none or no API
   */
  record Found(Digest subject, List<String> tags, List<JsonNode> viaApi) {}

  /**
   * Everything found for the subjects, and whether the source serves the referrers API.
   *
   * @param requests how many requests the discovery made (listing pages and referrers calls)
   */
  record Discovery(Map<Digest, Found> bySubject, boolean apiServed, int requests) {}

  private Referrers() {}

  /**
   * The subjects of an image: its top manifest (unless {@code rewritten}, whose digest no referrer
   * can name) and each platform manifest an index lists (not BuildKit's attestation entries).
   */
  static List<Digest> subjects(Manifest top, boolean rewritten) {
    List<Digest> out = new ArrayList<>();
    if (!rewritten) {
      out.add(top.digest());
    }
    if (top.isIndex()) {
      for (Descriptor entry : top.references()) {
        if (!entry.annotations().containsKey(SourceTree.REFERENCE_DIGEST)) {
          out.add(entry.digest());
        }
      }
    }
    return out;
  }

  /**
   * One tag listing of {@code repo}, then the referrers API for each subject, stopping at the first
   * answer that says the registry has no such API. Throws what the registry answered otherwise.
   */
  static Discovery discover(RegistryClient client, ImageReference repo, Collection<Digest> subjects) {
    RegistryClient.TagList listing = client.listTagPages(repo, TAG_PAGE);
    Set<String> tags = new HashSet<>(listing.tags());
    int requests = listing.requests();
    boolean api = true;
    Map<Digest, Found> out = new LinkedHashMap<>();
    for (Digest subject : new LinkedHashSet<>(subjects)) {
      List<String> mine = new ArrayList<>();
      if (subject.algorithm().equals("sha256")) {
        for (String suffix : TAG_SUFFIXES) {
          String tag = schemaTag(subject) + suffix;
          if (tags.contains(tag)) {
            mine.add(tag);
          }
        }
      }
      List<JsonNode> viaApi = List.of();
      if (api) {
        requests++;
        Optional<List<JsonNode>> answered = client.referrers(repo, subject);
        api = answered.isPresent();
        viaApi = answered.orElse(List.of());
      }
      out.put(subject, new Found(subject, mine, viaApi));
    }
    return new Discovery(out, api, requests);
  }

  /** The referrers tag schema's tag for a subject: {@code sha256-<hex>}. */
  static String schemaTag(Digest subject) {
    return subject.algorithm() + "-" + subject.hex();
  }

  /** The artifact type a descriptor gives: its {@code artifactType}, else its media type. */
  static String artifactType(JsonNode descriptor) {
    String type = descriptor.path("artifactType").asText("");
    return type.isEmpty() ? descriptor.path("mediaType").asText("") : type;
  }

  /**
   * The artifact type of a manifest, as the OCI image spec derives it: its {@code artifactType};
   * else its config's media type when that is not a plain image config; else its first layer's (a
   * cosign signature's {@code application/vnd.dev.cosign.simplesigning.v1+json}, an SBOM's
   * {@code text/spdx+json}); else its own media type.
   */
  static String artifactType(Manifest manifest) {
    JsonNode root;
    try {
      root = Json.readTree(manifest.bytes());
    } catch (IOException e) {
      return manifest.mediaType();
    }
    String declared = root.path("artifactType").asText("");
    if (!declared.isEmpty()) {
      return declared;
    }
    String config = root.path("config").path("mediaType").asText("");
    if (!config.isEmpty() && !config.equals(MediaTypes.OCI_CONFIG) && !config.equals(MediaTypes.DOCKER_CONFIG)
        && !config.equals(MediaTypes.OCI_EMPTY)) {
      return config;
    }
    String layer = root.path("layers").path(0).path("mediaType").asText("");
    return layer.isEmpty() ? manifest.mediaType() : layer;
  }
}
