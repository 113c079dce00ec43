package dev.ecrmirror.common.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecrmirror.common.manifest.Manifest;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.retry.RetryPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A thread-safe client for the OCI distribution API on any number of registries: manifests as raw
 * bytes, blobs as streams, uploads, cross-repository mounts, auth and retries. A thin face: each
 * registry action is a class of its own ({@link ManifestCalls}, {@link BlobReader}, {@link
 * BlobUploader}, {@link TagCalls}) over one shared exchange ({@link RegistryCalls}).
 *
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md">OCI distribution spec</a>
 */
public final class RegistryClient {
  /** How long a blob download may wait for its next bytes before it counts as broken. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(120);

  private final RegistryCalls calls;
  private final ManifestCalls manifests;
  private final BlobReader blobReader;
  private final BlobUploader blobUploader;
  private final TagCalls tags;

  public RegistryClient(RegistryOptions options) {
    this.calls = new RegistryCalls(options);
    this.manifests = new ManifestCalls(calls);
    this.blobReader = new BlobReader(calls);
    this.blobUploader = new BlobUploader(calls);
    this.tags = new TagCalls(calls);
  }

  /**
   * Per registry that sent a {@code ratelimit-remaining} header (Docker Hub does), the lowest count of
   * pulls left it reported to this client: the run's rate-limit metric. Empty when none did.
   */
  public Map<String, Long> rateLimitRemaining() {
    return calls.lowestReported();
  }

  /** The retry policy of this client's requests, for callers that retry larger steps (a whole blob transfer). */
  public RetryPolicy retryPolicy() {
    return calls.retry();
  }

  /** A manifest's identity as a HEAD request reports it. */
  public record ManifestHead(Digest digest, String mediaType, long size) {}

  /**
   * An open blob download; close the stream when done.
   *
   * @param length the bytes this answer carries, or -1 when the registry did not say
   * @param offset where in the blob the body starts
   * @param partial the registry honoured a Range request (a 206 answer)
   * @param location where the bytes came from, after redirects (storage, for ECR, Docker Hub, GHCR)
   */
  public record BlobStream(InputStream body, long length, long offset, boolean partial, URI location) {}

  /** Writes an upload's bytes, exactly as many as the upload declares. */
  @FunctionalInterface
  public interface BlobBody {
    void writeTo(OutputStream out) throws IOException;

    /**
     * Called before the bytes are written with a way to drop the connection from another thread:
     * a write the registry never takes blocks, and only this ends it.
     */
    default void abortWith(Runnable abort) { }
  }

  /**
   * A repository's tags and how many requests listing them took.
   *
   * @param tags every tag, in the order the registry listed them
   * @param requests how many pages were read (each one request against the registry's rate budget)
   */
  public record TagList(List<String> tags, int requests) {
    public TagList {
      tags = List.copyOf(tags);
    }
  }

  /**
   * The digest of the manifest a reference points at, from a HEAD request (which Docker Hub does
   * not count against the pull limit), or empty when the registry has no such manifest.
   */
  public Optional<ManifestHead> headManifest(ImageReference ref) {
    return manifests.headManifest(ref);
  }

  /** The manifest a reference points at, as raw bytes; verified against the digest when pinned by one. */
  public Manifest getManifest(ImageReference ref) {
    return manifests.getManifest(ref);
  }

  /** The manifest {@code reference} (a tag or digest) in the repository of {@code repo}. */
  public Manifest getManifest(ImageReference repo, String reference) {
    return manifests.getManifest(repo, reference);
  }

  /** Pushes the manifest's bytes unchanged under {@code reference} (a tag, or its digest). */
  public void putManifest(ImageReference repo, String reference, Manifest manifest) {
    manifests.putManifest(repo, reference, manifest);
  }

  /** Every tag of the repository, page by page ({@link TagCalls#listTagPages}). */
  public TagList listTagPages(ImageReference repo, int pageSize) {
    return tags.listTagPages(repo, pageSize);
  }

  /**
   * The descriptors of the manifests that refer to {@code subject}, from the OCI referrers API;
   * empty when the registry does not serve it ({@link TagCalls#referrers}).
   */
  public Optional<List<JsonNode>> referrers(ImageReference repo, Digest subject) {
    return tags.referrers(repo, subject);
  }

  /** True when the repository already holds the blob. */
  public boolean blobExists(ImageReference repo, Digest digest) {
    return blobReader.blobExists(repo, digest);
  }

  /** {@link #openBlob(ImageReference, Digest, long, Duration)} with the default read timeout. */
  public BlobStream openBlob(ImageReference repo, Digest digest, long offset) {
    return openBlob(repo, digest, offset, DEFAULT_READ_TIMEOUT);
  }

  /**
   * Opens a blob for reading from {@code offset}; redirects to storage are followed without our
   * login ({@link BlobReader#openBlob}). A read that waits longer than {@code readTimeout} fails.
   */
  public BlobStream openBlob(ImageReference repo, Digest digest, long offset, Duration readTimeout) {
    return blobReader.openBlob(repo, digest, offset, readTimeout);
  }

  /**
   * Opens bytes {@code first} to {@code last} (inclusive) of a blob with a Range request, at {@code
   * at} (the storage URL of an earlier range) when not null; {@link BlobStream#partial()} is false
   * when the registry ignored the range and sent the whole blob ({@link BlobReader#openBlobRange}).
   */
  public BlobStream openBlobRange(ImageReference repo, Digest digest, long first, long last, URI at,
      Duration readTimeout) {
    return blobReader.openBlobRange(repo, digest, first, last, at, readTimeout);
  }

  /**
   * Asks the registry to mount the blob from another repository of the same registry. True when
   * mounted (201); false when the registry wants an upload instead (202), as it may for any reason.
   */
  public boolean mountBlob(ImageReference repo, Digest digest, ImageReference from) {
    return blobUploader.mountBlob(repo, digest, from);
  }

  /** Uploads a blob in one PUT, streamed from {@code body}; not retried here ({@link BlobUploader#uploadBlob}). */
  public void uploadBlob(ImageReference repo, Digest digest, long size, BlobBody body) {
    blobUploader.uploadBlob(repo, digest, size, body);
  }

  /** The API base: plain HTTP for loopback and registries the user marked insecure, HTTPS otherwise. */
  public URI base(ImageReference repo) {
    return calls.base(repo);
  }

  /** Same scheme, host and port: the only place a redirect may take our login. */
  static boolean sameOrigin(URI origin, URI target) {
    return RegistryCalls.sameOrigin(origin, target);
  }
}
