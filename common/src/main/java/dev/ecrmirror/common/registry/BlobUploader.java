package dev.ecrmirror.common.registry;

import static dev.ecrmirror.common.registry.RegistryCalls.MANIFEST_TIMEOUT;
import static dev.ecrmirror.common.registry.RegistryCalls.encode;
import static dev.ecrmirror.common.registry.RegistryCalls.error;
import static dev.ecrmirror.common.registry.RegistryCalls.expect;
import static dev.ecrmirror.common.registry.RegistryCalls.push;
import static dev.ecrmirror.common.registry.RegistryCalls.readError;
import static dev.ecrmirror.common.registry.RegistryCalls.scope;

import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryCalls.ErrorBody;
import dev.ecrmirror.common.registry.RegistryClient.BlobBody;
import dev.ecrmirror.common.registry.Transport.Request;
import dev.ecrmirror.common.registry.Transport.Response;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Writes blobs: cross-repository mounts, and uploads in one PUT with the chunked protocol as a fallback. */
final class BlobUploader {
  /** How long a registry may take to answer once an upload's last byte is sent (it verifies and stores it). */
  private static final Duration UPLOAD_ANSWER_TIMEOUT = Duration.ofMinutes(15);

  private final RegistryCalls calls;
  private final Set<String> chunkedOnly = ConcurrentHashMap.newKeySet();

  BlobUploader(RegistryCalls calls) {
    this.calls = calls;
  }

  /**
   * Asks the registry to mount the blob from another repository of the same registry. True when
   * mounted (201); false when the registry wants an upload instead (202), as it may for any reason.
   */
  boolean mountBlob(ImageReference repo, Digest digest, ImageReference from) {
    String action = "mount blob " + digest.shortHex() + " from " + from.repository() + " into " + repo.name();
    URI uri = calls.base(repo).resolve("/v2/" + repo.repository() + "/blobs/uploads/?mount="
        + encode(digest.toString()) + "&from=" + encode(from.repository()));
    List<String> scopes = List.of(scope(repo, "pull,push"), scope(from, "pull"));
    Response response = calls.send(action, repo, scopes, true,
        () -> Request.withBytes("POST", uri, Map.of(), new byte[0], MANIFEST_TIMEOUT));
    if (response.status() == 201) {
      response.discard();
      return true;
    }
    expect(action, response, 202);
    // A session opened for an upload we do not make here: the registry expires it.
    response.discard();
    return false;
  }

  /**
   * Uploads a blob in one PUT after the POST that opens the session (ECR's chunked PATCH is
   * unreliable). A registry that refuses a PUT with a body is remembered, and from then on gets the
   * body in one PATCH followed by an empty PUT: the chunked protocol, as a fallback. The body is
   * streamed; the registry verifies the digest it is given, and a body that fails mid-way is never
   * completed (the connection is dropped short of its declared length). Not retried here: the
   * caller owns the bytes and must offer them again to try again.
   */
  void uploadBlob(ImageReference repo, Digest digest, long size, BlobBody body) {
    String action = "upload blob " + digest.shortHex() + " (" + size + " bytes) to " + repo.name();
    URI start = calls.base(repo).resolve("/v2/" + repo.repository() + "/blobs/uploads/");
    Response opened = calls.send(action, repo, push(repo), true,
        () -> Request.withBytes("POST", start, Map.of(), new byte[0], MANIFEST_TIMEOUT));
    expect(action, opened, 202);
    opened.discard();
    URI session = uploadLocation(action, start, opened);
    Map<String, String> octets = Map.of("Content-Type", "application/octet-stream");
    if (chunkedOnly.contains(repo.registry())) {
      Response patched = calls.send(action, repo, push(repo), false,
          () -> new Request("PATCH", session, octets, size, body, UPLOAD_ANSWER_TIMEOUT));
      expect(action, patched, 202, 204);
      patched.discard();
      URI next = uploadLocation(action, session, patched);
      Response done = calls.send(action, repo, push(repo), true,
          () -> Request.withBytes("PUT", withDigest(next, digest), Map.of(), new byte[0], MANIFEST_TIMEOUT));
      expect(action, done, 201, 204);
      done.discard();
      return;
    }
    Response done = calls.send(action, repo, push(repo), false,
        () -> new Request("PUT", withDigest(session, digest), octets, size, body, UPLOAD_ANSWER_TIMEOUT));
    if (done.status() == 405 || done.status() == 501 || done.status() == 400) {
      ErrorBody refusal = readError(done);
      if (done.status() != 400 || refusal.code().equals("UNSUPPORTED")) {
        chunkedOnly.add(repo.registry());
        // A retryable failure: the caller offers the bytes again and the next try goes chunked.
        throw new RegistryException(action, 0, "UNSUPPORTED",
            "the registry refused a single-PUT upload (HTTP " + done.status() + "); switching to chunked uploads");
      }
      throw error(action, done.status(), refusal);
    }
    expect(action, done, 201, 204);
    done.discard();
  }

  private static URI uploadLocation(String action, URI base, Response response) {
    String location = response.header("Location").orElseThrow(() ->
        new RegistryException(action, response.status(), "", "the registry answered the upload without a Location"));
    return base.resolve(location);
  }

  private static URI withDigest(URI session, Digest digest) {
    return URI.create(session + (session.getRawQuery() == null ? "?" : "&") + "digest=" + encode(digest.toString()));
  }
}
