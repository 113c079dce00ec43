package dev.ecrmirror.common.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecrmirror.common.manifest.MediaTypes;
import dev.ecrmirror.common.ref.Digest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Builds fixture images in a registry through the plain distribution API (independent of the
 * code under test): random layers, configs, image manifests of both schemas, OCI indexes with
 * annotations and attestation entries, Docker manifest lists and artifacts.
 */
public final class TestImages {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final URI base;
  private final Random random;

  /** Pushes into the registry at {@code base}; {@code seed} makes the content reproducible. */
  public TestImages(URI base, long seed) {
    this.base = base;
    this.random = new Random(seed);
  }

  /** A pushed piece of content. */
  public record Pushed(Digest digest, long size, String mediaType) {}

  /** Uploads bytes as a blob (POST then PUT) and returns its descriptor data. */
  public Pushed blob(String repo, byte[] content, String mediaType) {
    Digest digest = Digest.sha256(content);
    HttpResponse<String> opened = send(HttpRequest.newBuilder(base.resolve("/v2/" + repo + "/blobs/uploads/"))
        .POST(HttpRequest.BodyPublishers.noBody()).build());
    check(opened, 202, "open upload");
    URI location = base.resolve(opened.headers().firstValue("Location").orElseThrow());
    String sep = location.getRawQuery() == null ? "?" : "&";
    check(send(HttpRequest.newBuilder(URI.create(location + sep + "digest=" + digest))
        .header("Content-Type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(content)).build()), 201, "upload blob");
    return new Pushed(digest, content.length, mediaType);
  }

  /** Random bytes standing in for a compressed layer. */
  public byte[] randomBytes(int size) {
    byte[] b = new byte[size];
    random.nextBytes(b);
    return b;
  }

  /** Pushes raw manifest bytes with their media type under {@code reference} (tag or digest). */
  public Pushed manifest(String repo, String reference, byte[] bytes, String mediaType) {
    check(send(HttpRequest.newBuilder(base.resolve("/v2/" + repo + "/manifests/" + reference))
        .header("Content-Type", mediaType).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build()),
        201, "push manifest");
    return new Pushed(Digest.sha256(bytes), bytes.length, mediaType);
  }

  /**
   * Pushes a single-platform image: a config and {@code layers} random layers of about
   * {@code layerSize} bytes, in the OCI or Docker schema. Pushed by digest; tag it with {@link #tag}.
   */
  public Pushed image(String repo, String os, String arch, String variant, boolean oci, int layers, int layerSize) {
    String layerType = oci ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.DOCKER_LAYER_GZIP;
    ObjectNode config = JSON.createObjectNode();
    config.put("architecture", arch).put("os", os);
    if (!variant.isEmpty()) {
      config.put("variant", variant);
    }
    config.putObject("config").putArray("Cmd").add("/bin/sh").add("-c").add("echo " + random.nextLong());
    ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
    ArrayNode diffIds = rootfs.putArray("diff_ids");
    List<Pushed> layerBlobs = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      byte[] content = randomBytes(layerSize + random.nextInt(Math.max(1, layerSize / 4)));
      layerBlobs.add(blob(repo, content, layerType));
      diffIds.add(Digest.sha256(content).toString());
    }
    Pushed configBlob = blob(repo, write(config), oci ? MediaTypes.OCI_CONFIG : MediaTypes.DOCKER_CONFIG);
    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", oci ? MediaTypes.OCI_MANIFEST : MediaTypes.DOCKER_MANIFEST);
    manifest.set("config", descriptor(configBlob));
    ArrayNode layerArray = manifest.putArray("layers");
    layerBlobs.forEach(l -> layerArray.add(descriptor(l)));
    if (oci) {
      manifest.putObject("annotations").put("org.opencontainers.image.title", repo + " " + os + "/" + arch);
    }
    byte[] bytes = write(manifest);
    Digest digest = Digest.sha256(bytes);
    return manifest(repo, digest.toString(), bytes, oci ? MediaTypes.OCI_MANIFEST : MediaTypes.DOCKER_MANIFEST);
  }

  /**
   * An OCI artifact: an image manifest with an {@code artifactType}, the empty config and one
   * blob, as signatures and SBOMs are stored.
   */
  public Pushed artifact(String repo, Pushed subject) {
    Pushed empty = blob(repo, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8), MediaTypes.OCI_EMPTY);
    Pushed payload = blob(repo, randomBytes(512), "application/vnd.in-toto+json");
    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
    manifest.put("artifactType", "application/vnd.example.sbom.v1+json");
    manifest.set("config", descriptor(empty));
    manifest.putArray("layers").add(descriptor(payload));
    if (subject != null) {
      manifest.set("subject", descriptor(subject));
    }
    byte[] bytes = write(manifest);
    return manifest(repo, Digest.sha256(bytes).toString(), bytes, MediaTypes.OCI_MANIFEST);
  }

  /**
   * What {@code cosign sign} pushes for {@code subject}: an OCI image manifest whose one layer is
   * the signed simple-signing payload, the signature and bundle in that layer's annotations, tagged
   * {@code sha256-<hex>.sig}.
   */
  public Pushed cosignSignature(String repo, Digest subject) {
    byte[] payload = ("{\"critical\":{\"identity\":{\"docker-reference\":\"" + repo + "\"},\"image\":{"
        + "\"docker-manifest-digest\":\"" + subject + "\"},\"type\":\"cosign container image signature\"},"
        + "\"optional\":null}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Pushed layer = blob(repo, payload, "application/vnd.dev.cosign.simplesigning.v1+json");
    Pushed config = blob(repo, ("{\"architecture\":\"\",\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
        + layer.digest() + "\"]},\"config\":{}}").getBytes(java.nio.charset.StandardCharsets.UTF_8), MediaTypes.OCI_CONFIG);
    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
    manifest.set("config", descriptor(config));
    ObjectNode l = descriptor(layer);
    l.putObject("annotations").put("dev.cosignproject.cosign/signature", "MEUCIQDx" + subject.hex().substring(0, 16) + "==")
        .put("dev.sigstore.cosign/bundle", "{\"SignedEntryTimestamp\":\"MEQC\"}");
    manifest.putArray("layers").add(l);
    return manifest(repo, subject.algorithm() + "-" + subject.hex() + ".sig", write(manifest), MediaTypes.OCI_MANIFEST);
  }

  /**
   * A multi-platform OCI index with {@code platforms} ("os/arch[/variant]") images, an attestation
   * entry per image (platform unknown/unknown, as BuildKit writes them), an artifact entry, and
   * index annotations; tagged {@code tag}. Indented with tabs so any re-serialization shows.
   */
  public Pushed ociIndex(String repo, String tag, List<String> platforms, int layers, int layerSize) {
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", MediaTypes.OCI_INDEX);
    ArrayNode entries = index.putArray("manifests");
    for (String platform : platforms) {
      Pushed image = platformEntry(repo, platform, true, layers, layerSize, entries);
      Pushed attestation = artifact(repo, null);
      ObjectNode att = descriptor(attestation);
      att.putObject("annotations").put("vnd.docker.reference.digest", image.digest().toString())
          .put("vnd.docker.reference.type", "attestation-manifest");
      att.putObject("platform").put("architecture", "unknown").put("os", "unknown");
      entries.add(att);
    }
    index.putObject("annotations").put("org.opencontainers.image.created", "2026-01-01T00:00:00Z")
        .put("org.opencontainers.image.source", "https://example.test/" + repo);
    byte[] bytes = ("{\n\t\"schemaVersion\": 2,\n\t\"mediaType\": \"" + MediaTypes.OCI_INDEX + "\",\n\t\"manifests\": "
        + writeString(entries) + ",\n\t\"annotations\": " + writeString(index.get("annotations")) + "\n}\n")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return manifest(repo, tag, bytes, MediaTypes.OCI_INDEX);
  }

  /** A Docker manifest list over Docker-schema images, tagged {@code tag}. */
  public Pushed dockerList(String repo, String tag, List<String> platforms, int layers, int layerSize) {
    ObjectNode list = JSON.createObjectNode();
    list.put("schemaVersion", 2);
    list.put("mediaType", MediaTypes.DOCKER_LIST);
    ArrayNode entries = list.putArray("manifests");
    for (String platform : platforms) {
      platformEntry(repo, platform, false, layers, layerSize, entries);
    }
    byte[] bytes = write(list);
    return manifest(repo, tag, bytes, MediaTypes.DOCKER_LIST);
  }

  /** Pushes an image for {@code platform} ("os/arch[/variant]") and adds its index entry. */
  private Pushed platformEntry(String repo, String platform, boolean oci, int layers, int layerSize, ArrayNode entries) {
    String[] p = platform.split("/");
    Pushed image = image(repo, p[0], p[1], p.length > 2 ? p[2] : "", oci, layers, layerSize);
    ObjectNode entry = descriptor(image);
    ObjectNode plat = entry.putObject("platform").put("architecture", p[1]).put("os", p[0]);
    if (p.length > 2) {
      plat.put("variant", p[2]);
    }
    entries.add(entry);
    return image;
  }

  /** Points {@code tag} at an already pushed manifest. */
  public void tag(String repo, String tag, Pushed manifest) {
    HttpResponse<byte[]> got;
    try {
      got = HTTP.send(HttpRequest.newBuilder(base.resolve("/v2/" + repo + "/manifests/" + manifest.digest()))
          .header("Accept", MediaTypes.ACCEPT_ALL_MANIFESTS).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
    manifest(repo, tag, got.body(), manifest.mediaType());
  }

  private static ObjectNode descriptor(Pushed p) {
    ObjectNode d = JSON.createObjectNode();
    d.put("mediaType", p.mediaType()).put("digest", p.digest().toString()).put("size", p.size());
    return d;
  }

  private static byte[] write(Object node) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String writeString(Object node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static HttpResponse<String> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(request.method() + " " + request.uri() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void check(HttpResponse<String> response, int expected, String what) {
    if (response.statusCode() != expected) {
      throw new IllegalStateException(what + ": HTTP " + response.statusCode() + " " + response.body());
    }
  }
}
