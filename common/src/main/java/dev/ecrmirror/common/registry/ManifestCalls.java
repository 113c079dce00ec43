package dev.ecrmirror.common.registry;

import static dev.ecrmirror.common.registry.RegistryCalls.MANIFEST_TIMEOUT;
import static dev.ecrmirror.common.registry.RegistryCalls.MAX_MANIFEST_BYTES;
import static dev.ecrmirror.common.registry.RegistryCalls.contentType;
import static dev.ecrmirror.common.registry.RegistryCalls.expect;
import static dev.ecrmirror.common.registry.RegistryCalls.pull;
import static dev.ecrmirror.common.registry.RegistryCalls.push;
import static dev.ecrmirror.common.registry.RegistryCalls.read;

import dev.ecrmirror.common.manifest.Manifest;
import dev.ecrmirror.common.manifest.MediaTypes;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient.ManifestHead;
import dev.ecrmirror.common.registry.Transport.Request;
import dev.ecrmirror.common.registry.Transport.Response;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/** Manifests by HEAD, GET and PUT: the digest a reference points at, raw bytes in, raw bytes out. */
final class ManifestCalls {
  private final RegistryCalls calls;

  ManifestCalls(RegistryCalls calls) {
    this.calls = calls;
  }

  /**
   * The digest of the manifest a reference points at, from a HEAD request (which Docker Hub does
   * not count against the pull limit), or empty when the registry has no such manifest.
   */
  Optional<ManifestHead> headManifest(ImageReference ref) {
    String action = "check manifest " + ref;
    URI uri = calls.manifestUri(ref, ref.manifestReference());
    Response response = calls.send(action, ref, pull(ref), true,
        () -> Request.of("HEAD", uri, Map.of("Accept", MediaTypes.ACCEPT_ALL_MANIFESTS), MANIFEST_TIMEOUT));
    response.discard();
    if (response.status() == 404) {
      return Optional.empty();
    }
    expect(action, response, 200);
    Optional<String> digest = response.header("Docker-Content-Digest");
    if (digest.isEmpty()) {
      // Some registries omit the header on HEAD: the bytes are the only truth then.
      Manifest m = getManifest(ref);
      return Optional.of(new ManifestHead(m.digest(), m.mediaType(), m.size()));
    }
    return Optional.of(new ManifestHead(Digest.parse(digest.get()), contentType(response),
        response.longHeader("Content-Length").orElse(-1)));
  }

  /** The manifest a reference points at, as raw bytes; verified against the digest when pinned by one. */
  Manifest getManifest(ImageReference ref) {
    return getManifest(ref, ref.manifestReference());
  }

  /** The manifest {@code reference} (a tag or digest) in the repository of {@code repo}. */
  Manifest getManifest(ImageReference repo, String reference) {
    String action = "get manifest " + repo.name() + (reference.contains(":") ? "@" : ":") + reference;
    URI uri = calls.manifestUri(repo, reference);
    // A pull, as Docker Hub counts them: it spends the registry's rate budget.
    Response response = calls.send(action, repo, pull(repo), true, true,
        () -> Request.of("GET", uri, Map.of("Accept", MediaTypes.ACCEPT_ALL_MANIFESTS), MANIFEST_TIMEOUT));
    expect(action, response, 200);
    byte[] bytes = read(action, response, MAX_MANIFEST_BYTES + 1);
    if (bytes.length > MAX_MANIFEST_BYTES) {
      throw new RegistryException(action, 200, "SIZE_INVALID", "manifest larger than 4 MiB");
    }
    Manifest manifest = Manifest.of(bytes, contentType(response));
    if (reference.contains(":")) {
      Digest expected = Digest.parse(reference);
      if (!expected.matches(bytes)) {
        throw new RegistryException(action, 200, "DIGEST_INVALID",
            "the registry served bytes whose digest is " + manifest.digest() + ", not " + expected);
      }
    }
    return manifest;
  }

  /** Pushes the manifest's bytes unchanged under {@code reference} (a tag, or its digest). */
  void putManifest(ImageReference repo, String reference, Manifest manifest) {
    String action = "push manifest " + repo.name() + (reference.contains(":") ? "@" : ":") + reference;
    URI uri = calls.manifestUri(repo, reference);
    Response response = calls.send(action, repo, push(repo), true, () -> Request.withBytes("PUT", uri,
        Map.of("Content-Type", manifest.mediaType()), manifest.bytes(), MANIFEST_TIMEOUT));
    expect(action, response, 201, 200);
    response.discard();
    response.header("Docker-Content-Digest").map(Digest::parse).ifPresent(stored -> {
      if (!stored.equals(manifest.digest())) {
        throw new RegistryException(action, response.status(), "DIGEST_INVALID",
            "the registry stored it as " + stored + ", not " + manifest.digest() + " (it rewrote the manifest)");
      }
    });
  }
}
