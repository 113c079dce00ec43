package dev.ecrmirror.common.registry;

import static dev.ecrmirror.common.registry.RegistryCalls.MANIFEST_TIMEOUT;
import static dev.ecrmirror.common.registry.RegistryCalls.error;
import static dev.ecrmirror.common.registry.RegistryCalls.expect;
import static dev.ecrmirror.common.registry.RegistryCalls.pull;
import static dev.ecrmirror.common.registry.RegistryCalls.readError;
import static dev.ecrmirror.common.registry.RegistryCalls.sameOrigin;

import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient.BlobStream;
import dev.ecrmirror.common.registry.Transport.Request;
import dev.ecrmirror.common.registry.Transport.Response;
import java.io.FilterInputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** Reads blobs: whether a repository holds one, and downloads that follow redirects to storage and resume by Range. */
final class BlobReader {
  private static final int MAX_REDIRECTS = 5;

  private final RegistryCalls calls;

  BlobReader(RegistryCalls calls) {
    this.calls = calls;
  }

  /** True when the repository already holds the blob. */
  boolean blobExists(ImageReference repo, Digest digest) {
    String action = "check blob " + digest.shortHex() + " in " + repo.name();
    URI uri = calls.blobUri(repo, digest);
    Response response = calls.send(action, repo, pull(repo), true, () -> Request.of("HEAD", uri, Map.of(), MANIFEST_TIMEOUT));
    response.discard();
    if (response.status() == 404) {
      return false;
    }
    // A redirect means the registry serves the blob from elsewhere: it exists.
    if (response.status() >= 300 && response.status() < 400) {
      return true;
    }
    expect(action, response, 200);
    return true;
  }

  /**
   * Opens a blob for reading from {@code offset} (a Range request; a registry that ignores Range
   * is read from the start, and {@link BlobStream#offset()} says so). Redirects are followed with
   * our {@code Authorization} header only to the very origin asked first, same scheme, host and
   * port: not to another host (ECR serves layers from S3, with a signed URL of its own), and never
   * from HTTPS down to plain HTTP, even on the same host. A read of the body that waits longer than
   * {@code readTimeout} fails with a {@link SocketTimeoutException}.
   */
  BlobStream openBlob(ImageReference repo, Digest digest, long offset, Duration readTimeout) {
    Map<String, String> headers = offset > 0 ? Map.of("Range", "bytes=" + offset + "-") : Map.of();
    return open(repo, digest, calls.blobUri(repo, digest), headers, offset, readTimeout);
  }

  /**
   * Opens bytes {@code first} to {@code last} (inclusive) of a blob with a Range request, at {@code
   * at} when given (the storage URL an earlier range was redirected to: no second trip through the
   * registry) and at the registry otherwise. {@link BlobStream#partial()} says whether the registry
   * honoured the range; one that did not answers with the whole blob from its start. A storage URL
   * that no longer answers (a signed URL expired) is left for the registry's.
   */
  BlobStream openBlobRange(ImageReference repo, Digest digest, long first, long last, URI at, Duration readTimeout) {
    Map<String, String> headers = Map.of("Range", "bytes=" + first + "-" + last);
    URI registry = calls.blobUri(repo, digest);
    if (at != null && !at.equals(registry)) {
      try {
        BlobStream direct = open(repo, digest, at, headers, first, readTimeout);
        if (direct.partial()) {
          return direct;
        }
        direct.body().close();
      } catch (RegistryException | IOException e) {
        // Back to the registry, which signs a fresh URL.
      }
    }
    return open(repo, digest, registry, headers, first, readTimeout);
  }

  /**
   * One GET of the blob from {@code start}, following redirects; a 206 is taken only for {@code
   * offset} (its {@code Content-Range} must start there).
   */
  private BlobStream open(ImageReference repo, Digest digest, URI start, Map<String, String> headers, long offset,
      Duration readTimeout) {
    String action = "download blob " + digest.shortHex() + " from " + repo.name();
    URI origin = calls.blobUri(repo, digest);
    URI uri = start;
    boolean ranged = headers.containsKey("Range");
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      URI target = uri;
      Response response = calls.send(action, repo, sameOrigin(origin, target) ? pull(repo) : null, true,
          () -> Request.of("GET", target, headers, readTimeout));
      int status = response.status();
      if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
        String location = response.header("Location").orElseThrow(() ->
            new RegistryException(action, status, "", "redirect without a Location"));
        response.discard();
        uri = target.resolve(location);
        continue;
      }
      if (status == 206 && ranged && !rangeStartsAt(response, offset)) {
        response.abort();
        throw new RegistryException(action, status, "", "the registry answered another range than bytes " + offset + "-: "
            + response.header("Content-Range").orElse("no Content-Range"));
      }
      if (status == 200 || (status == 206 && ranged)) {
        long length = response.longHeader("Content-Length").orElse(-1);
        boolean partial = status == 206;
        return new BlobStream(new BlobBodyStream(response), length, partial ? offset : 0, partial, target);
      }
      throw error(action, status, readError(response));
    }
    throw new RegistryException(action, 0, "", "more than " + MAX_REDIRECTS + " redirects");
  }

  /** Whether a 206's {@code Content-Range} ({@code bytes FIRST-LAST/TOTAL}) starts at {@code offset}. */
  private static boolean rangeStartsAt(Response response, long offset) {
    String range = response.header("Content-Range").orElse("").trim();
    if (!range.startsWith("bytes ")) {
      return false;
    }
    int dash = range.indexOf('-');
    try {
      return dash > 6 && Long.parseLong(range.substring(6, dash).trim()) == offset;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * A download's body. Closed before its end (the copy failed, or the read timed out), it drops
   * the connection rather than drain or keep a connection in an unknown state.
   */
  private static final class BlobBodyStream extends FilterInputStream {
    private final Response response;
    private boolean ended;

    BlobBodyStream(Response response) {
      super(response.body());
      this.response = response;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      ended |= b < 0;
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      ended |= n < 0;
      return n;
    }

    @Override
    public void close() {
      if (ended) {
        response.close();
      } else {
        response.abort();
      }
    }
  }
}
