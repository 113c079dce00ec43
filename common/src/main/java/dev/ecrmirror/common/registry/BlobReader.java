package dev.ecrmirror.common.registry;

import static dev.ecrmirror.common.registry.RegistryCalls.MANIFEST_TIMEOUT;
import static dev.ecrmirror.common.registry.RegistryCalls.error;
import static dev.ecrmirror.common.registry.RegistryCalls.expect;
import static dev.ecrmirror.common.registry.RegistryCalls.pull;
import static dev.ecrmirror.common.registry.RegistryCalls.read;
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
    String action = "download blob " + digest.shortHex() + " from " + repo.name();
    URI uri = calls.blobUri(repo, digest);
    URI origin = uri;
    Map<String, String> headers = offset > 0 ? Map.of("Range", "bytes=" + offset + "-") : Map.of();
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
      if (status == 200 || (status == 206 && offset > 0)) {
        long length = response.longHeader("Content-Length").orElse(-1);
        return new BlobStream(new BlobBodyStream(response), length, status == 206 ? offset : 0);
      }
      throw error(action, status, readError(response));
    }
    throw new RegistryException(action, 0, "", "more than " + MAX_REDIRECTS + " redirects");
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
