package dev.ecrmirror.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecrmirror.common.manifest.MediaTypes;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.common.testing.TestImages.Pushed;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A source repository with many tags whose images share most of their layers, as a real one does:
 * every image stacks a per-architecture base layer and a common layer under one small layer of its
 * own. Versions alternate between two-platform OCI indexes and single Docker manifests; a few tags
 * are aliases of another tag's image. Pushed through the plain API (independent of the code under
 * test); it remembers which blobs each tag holds, so a test can tell the distinct bytes of any set.
 */
final class SharedLayerRepository {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TestImages images;
  private final String repo;
  private final Map<String, Pushed> tops = new LinkedHashMap<>();
  private final Map<String, Map<Digest, Long>> blobsByTag = new HashMap<>();
  private final Pushed baseAmd64;
  private final Pushed baseArm64;
  private final Pushed common;
  private int serial;

  private SharedLayerRepository(URI base, String repo, long seed) {
    this.images = new TestImages(base, seed);
    this.repo = repo;
    this.baseAmd64 = images.blob(repo, images.randomBytes(60_000), MediaTypes.OCI_LAYER_GZIP);
    this.baseArm64 = images.blob(repo, images.randomBytes(55_000), MediaTypes.OCI_LAYER_GZIP);
    this.common = images.blob(repo, images.randomBytes(30_000), MediaTypes.OCI_LAYER_GZIP);
  }

  /**
   * Versions {@code 1.0.0} … up to {@code count} of them (three majors), even ones OCI indexes and
   * odd ones Docker manifests; {@code latest} and {@code 3} alias the last version, and
   * {@code nightly-20261101} is one more image.
   */
  static SharedLayerRepository push(URI base, String repo, int count, long seed) {
    SharedLayerRepository r = new SharedLayerRepository(base, repo, seed);
    int perMajor = (count + 2) / 3;
    for (int i = 0; i < count; i++) {
      String tag = (1 + i / perMajor) + "." + (i % perMajor) + ".0";
      if (i % 2 == 0) {
        r.index(tag);
      } else {
        r.single(tag, false);
      }
    }
    String last = r.tags().getLast();
    r.alias("latest", last);
    r.alias("3", last);
    r.single("nightly-20261101", true);
    return r;
  }

  List<String> tags() {
    return new ArrayList<>(tops.keySet());
  }

  Pushed top(String tag) {
    return tops.get(tag);
  }

  /** Bytes of the distinct blobs under these tags: what a copy of them needs to read once. */
  long distinctBytes(Collection<String> tags) {
    Map<Digest, Long> union = new HashMap<>();
    tags.forEach(t -> union.putAll(blobsByTag.get(t)));
    return union.values().stream().mapToLong(Long::longValue).sum();
  }

  /** How many distinct blobs are under these tags. */
  int distinctBlobs(Collection<String> tags) {
    Map<Digest, Long> union = new HashMap<>();
    tags.forEach(t -> union.putAll(blobsByTag.get(t)));
    return union.size();
  }

  /** Points {@code tag} at a new single-platform image (not yet recorded under any tag). */
  Pushed image(boolean oci, String arch, Map<Digest, Long> blobs) {
    int n = serial++;
    Pushed own = images.blob(repo, images.randomBytes(4_000 + n * 7),
        oci ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.DOCKER_LAYER_GZIP);
    Pushed base = arch.equals("arm64") ? baseArm64 : baseAmd64;
    ObjectNode config = JSON.createObjectNode().put("architecture", arch).put("os", "linux");
    config.putObject("config").putArray("Cmd").add("serve").add("--build=" + n);
    Pushed configBlob = images.blob(repo, write(config), oci ? MediaTypes.OCI_CONFIG : MediaTypes.DOCKER_CONFIG);
    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("schemaVersion", 2);
    String type = oci ? MediaTypes.OCI_MANIFEST : MediaTypes.DOCKER_MANIFEST;
    manifest.put("mediaType", type);
    manifest.set("config", descriptor(configBlob));
    ArrayNode layers = manifest.putArray("layers");
    for (Pushed layer : List.of(base, common, own)) {
      layers.add(descriptor(layer));
    }
    for (Pushed blob : List.of(configBlob, base, common, own)) {
      blobs.put(blob.digest(), blob.size());
    }
    byte[] bytes = write(manifest);
    return images.manifest(repo, Digest.sha256(bytes).toString(), bytes, type);
  }

  private void index(String tag) {
    Map<Digest, Long> blobs = new HashMap<>();
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", MediaTypes.OCI_INDEX);
    ArrayNode entries = index.putArray("manifests");
    for (String arch : List.of("amd64", "arm64")) {
      Pushed image = image(true, arch, blobs);
      ObjectNode entry = descriptor(image);
      entry.putObject("platform").put("architecture", arch).put("os", "linux");
      entries.add(entry);
    }
    index.putObject("annotations").put("org.opencontainers.image.version", tag);
    byte[] bytes = write(index);
    tops.put(tag, images.manifest(repo, tag, bytes, MediaTypes.OCI_INDEX));
    blobsByTag.put(tag, blobs);
  }

  private void single(String tag, boolean oci) {
    Map<Digest, Long> blobs = new HashMap<>();
    Pushed image = image(oci, "amd64", blobs);
    images.tag(repo, tag, image);
    tops.put(tag, image);
    blobsByTag.put(tag, blobs);
  }

  private void alias(String tag, String of) {
    images.tag(repo, tag, tops.get(of));
    tops.put(tag, tops.get(of));
    blobsByTag.put(tag, blobsByTag.get(of));
  }

  private static ObjectNode descriptor(Pushed p) {
    return JSON.createObjectNode().put("mediaType", p.mediaType()).put("digest", p.digest().toString())
        .put("size", p.size());
  }

  private static byte[] write(Object node) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
