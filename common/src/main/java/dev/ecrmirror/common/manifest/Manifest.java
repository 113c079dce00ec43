package dev.ecrmirror.common.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecrmirror.common.Json;
import dev.ecrmirror.common.ref.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A manifest exactly as the registry served it: raw bytes, media type and digest. The bytes are
 * never re-serialized, so a copy keeps the digest; parsing only reads the references out.
 */
public final class Manifest {

  private final byte[] bytes;
  private final String mediaType;
  private final Digest digest;

  private Manifest(byte[] bytes, String mediaType, Digest digest) {
    this.bytes = bytes;
    this.mediaType = mediaType;
    this.digest = digest;
  }

  /**
   * Wraps raw manifest bytes. When the registry's {@code Content-Type} is missing or generic, the
   * {@code mediaType} field of the document decides, as the distribution spec allows.
   */
  public static Manifest of(byte[] bytes, String contentType) {
    String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].trim();
    if (!MediaTypes.isManifest(mediaType)) {
      mediaType = sniffMediaType(bytes).orElse(mediaType);
    }
    return new Manifest(bytes.clone(), mediaType, Digest.sha256(bytes));
  }

  private static Optional<String> sniffMediaType(byte[] bytes) {
    try {
      JsonNode root = Json.readTree(bytes);
      if (root.hasNonNull("mediaType")) {
        return Optional.of(root.get("mediaType").asText());
      }
      if (root.has("manifests")) {
        return Optional.of(MediaTypes.OCI_INDEX);
      }
      if (root.has("config") && root.has("layers")) {
        return Optional.of(MediaTypes.OCI_MANIFEST);
      }
      if (root.has("fsLayers")) {
        return Optional.of(root.has("signatures") ? MediaTypes.DOCKER_V1_SIGNED : MediaTypes.DOCKER_V1);
      }
    } catch (IOException e) {
      // Not JSON: leave the type as the registry gave it; parsing references will report it.
    }
    return Optional.empty();
  }

  /** A copy of the raw bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** The number of bytes. */
  public int size() {
    return bytes.length;
  }

  public String mediaType() {
    return mediaType;
  }

  /** The sha256 of the raw bytes: the manifest's identity. */
  public Digest digest() {
    return digest;
  }

  public boolean isIndex() {
    return MediaTypes.isIndex(mediaType);
  }

  /**
   * The descriptors this manifest references, in document order: index entries for an index;
   * config then layers for an image manifest. A {@code subject} is not included: it points at
   * another image that need not be copied for this one to be complete.
   */
  public List<Descriptor> references() {
    JsonNode root = parseTree();
    List<Descriptor> out = new ArrayList<>();
    if (isIndex()) {
      for (JsonNode entry : root.path("manifests")) {
        out.add(descriptor(entry));
      }
    } else if (MediaTypes.isSchema1(mediaType)) {
      // Schema 1 lists layers newest first with repeats; keep the first of each.
      for (JsonNode layer : root.path("fsLayers")) {
        Descriptor d = new Descriptor("", Digest.parse(layer.path("blobSum").asText()), -1, Optional.empty(), Map.of());
        if (out.stream().noneMatch(x -> x.digest().equals(d.digest()))) {
          out.add(d);
        }
      }
    } else {
      if (root.has("config")) {
        out.add(descriptor(root.get("config")));
      }
      for (JsonNode layer : root.path("layers")) {
        out.add(descriptor(layer));
      }
    }
    return out;
  }

  private JsonNode parseTree() {
    try {
      return Json.readTree(bytes);
    } catch (IOException e) {
      throw new IllegalArgumentException("manifest " + digest + " (" + mediaType + ") is not valid JSON: " + e.getMessage(), e);
    }
  }

  private Descriptor descriptor(JsonNode node) {
    if (!node.hasNonNull("digest")) {
      throw new IllegalArgumentException("manifest " + digest + " has a descriptor without a digest");
    }
    Optional<Platform> platform = Optional.empty();
    JsonNode p = node.get("platform");
    if (p != null && p.hasNonNull("os") && p.hasNonNull("architecture")) {
      platform = Optional.of(new Platform(p.get("os").asText(), p.get("architecture").asText(), p.path("variant").asText("")));
    }
    Map<String, String> annotations = new HashMap<>();
    node.path("annotations").properties().forEach(e -> annotations.put(e.getKey(), e.getValue().asText()));
    return new Descriptor(node.path("mediaType").asText(""), Digest.parse(node.get("digest").asText()),
        node.path("size").asLong(-1), platform, annotations);
  }

  /**
   * A new index keeping only the entries the filter accepts. This re-serializes the document, so
   * the result has a different digest from the source; every other field is kept as it was.
   */
  public Manifest filterIndex(Predicate<Descriptor> keep) {
    if (!isIndex()) {
      throw new IllegalStateException("only an index can be filtered by platform; " + digest + " is " + mediaType);
    }
    JsonNode root = parseTree();
    ArrayNode kept = Json.mapper().createArrayNode();
    for (JsonNode entry : root.path("manifests")) {
      if (keep.test(descriptor(entry))) {
        kept.add(entry);
      }
    }
    ((ObjectNode) root).set("manifests", kept);
    try {
      byte[] rewritten = Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
      return new Manifest(rewritten, mediaType, Digest.sha256(rewritten));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
