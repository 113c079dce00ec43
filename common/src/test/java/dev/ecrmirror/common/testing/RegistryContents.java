package dev.ecrmirror.common.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecrmirror.common.manifest.MediaTypes;
import dev.ecrmirror.common.ref.Digest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a registry through the plain API to check what a copy left there, independent of the
 * code under test: manifest bytes and types, and the digest of every blob's actual bytes.
 */
public final class RegistryContents {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private RegistryContents() {}

  /** A manifest's raw bytes and the media type it is served with. */
  public record Served(byte[] bytes, String mediaType) {
    public Digest digest() {
      return Digest.sha256(bytes);
    }
  }

  /** The manifest at {@code reference}, or empty on 404. */
  public static Optional<Served> manifest(URI base, String repo, String reference) {
    HttpResponse<byte[]> r = get(base.resolve("/v2/" + repo + "/manifests/" + reference), MediaTypes.ACCEPT_ALL_MANIFESTS);
    if (r.statusCode() == 404) {
      return Optional.empty();
    }
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET manifest " + repo + ":" + reference + " -> " + r.statusCode());
    }
    return Optional.of(new Served(r.body(), r.headers().firstValue("Content-Type").orElse("")));
  }

  /** The repository's tags as the registry lists them (one page; test repositories are small), empty on 404. */
  public static List<String> tags(URI base, String repo) {
    HttpResponse<byte[]> r = get(base.resolve("/v2/" + repo + "/tags/list"), "application/json");
    if (r.statusCode() == 404) {
      return List.of();
    }
    try {
      List<String> out = new ArrayList<>();
      JSON.readTree(r.body()).path("tags").forEach(t -> out.add(t.asText()));
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("tags of " + repo + ": " + e.getMessage(), e);
    }
  }

  /** The sha256 of a blob's bytes as the registry serves them, or empty on 404. */
  public static Optional<Digest> blobDigest(URI base, String repo, Digest digest) {
    HttpResponse<byte[]> r = get(base.resolve("/v2/" + repo + "/blobs/" + digest), "*/*");
    if (r.statusCode() == 404) {
      return Optional.empty();
    }
    return Optional.of(Digest.sha256(r.body()));
  }

  /**
   * Walks the tree under {@code reference} and lists every problem a copy could leave: a missing
   * or different child manifest, a missing blob, or a blob whose bytes do not hash to its digest.
   * The source is read the same way so both sides are compared byte for byte.
   */
  public static List<String> differences(URI sourceBase, String sourceRepo, URI destBase, String destRepo, String reference) {
    List<String> problems = new ArrayList<>();
    compare(sourceBase, sourceRepo, destBase, destRepo, reference, problems);
    return problems;
  }

  private static void compare(URI sb, String sr, URI db, String dr, String reference, List<String> problems) {
    Served src = manifest(sb, sr, reference).orElseThrow(() -> new IllegalStateException("source lacks " + reference));
    Optional<Served> dst = manifest(db, dr, reference);
    if (dst.isEmpty()) {
      problems.add("missing manifest " + reference);
      return;
    }
    if (!java.util.Arrays.equals(src.bytes(), dst.get().bytes())) {
      problems.add("manifest " + reference + " differs: " + dst.get().digest() + " vs " + src.digest());
    }
    if (!src.mediaType().equals(dst.get().mediaType())) {
      problems.add("manifest " + reference + " served as " + dst.get().mediaType() + ", source as " + src.mediaType());
    }
    JsonNode root;
    try {
      root = JSON.readTree(src.bytes());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    for (JsonNode child : root.path("manifests")) {
      compare(sb, sr, db, dr, child.get("digest").asText(), problems);
    }
    List<JsonNode> blobs = new ArrayList<>();
    if (root.has("config")) {
      blobs.add(root.get("config"));
    }
    root.path("layers").forEach(blobs::add);
    for (JsonNode blob : blobs) {
      Digest d = Digest.parse(blob.get("digest").asText());
      Optional<Digest> actual = blobDigest(db, dr, d);
      if (actual.isEmpty()) {
        problems.add("missing blob " + d);
      } else if (!actual.get().equals(d)) {
        problems.add("blob " + d + " has bytes hashing to " + actual.get());
      }
    }
  }

  private static HttpResponse<byte[]> get(URI uri, String accept) {
    try {
      return HTTP.send(HttpRequest.newBuilder(uri).header("Accept", accept).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new IllegalStateException("GET " + uri + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
