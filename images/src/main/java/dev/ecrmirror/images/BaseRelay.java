package dev.ecrmirror.images;

import dev.ecrmirror.common.manifest.Descriptor;
import dev.ecrmirror.common.manifest.Manifest;
import dev.ecrmirror.common.manifest.Platform;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies the base image, the platforms being built only, into the target repository by digest,
 * with the registry client (which verifies TLS per host and sends logins over plain HTTP only to
 * loopback and insecure registries). jib can then build from and push to one registry alone.
 *
 * <p>Why: jib-core 0.28 has one HTTP client per build, shared by the base and the target, and its
 * insecure switch ({@code Containerizer.setAllowInsecureRegistries}) and the JVM-wide
 * {@code sendCredentialsOverHttp} property cover every registry of that build: there is no way to
 * give jib plain HTTP for one host and verified TLS for another. So a build never mixes them: when
 * exactly one of the base and the target is plain HTTP, the base is relayed first.
 */
final class BaseRelay {
  private BaseRelay() {}

  /**
   * Copies {@code base} (pinned) into {@code target}'s repository and returns it there, pinned by
   * digest. An index keeps only the entries of {@code platforms} (a new index, so a new digest:
   * jib records no base digest, and the labels name the original).
   */
  static ImageReference copy(RegistryClient client, BaseImage base, List<Platform> platforms, ImageReference target) {
    ImageReference source = ImageReference.parse(base.pinned());
    ImageReference repo = ImageReference.parse(target.name());
    Manifest top = client.getManifest(source);
    List<Manifest> children = new ArrayList<>();
    if (top.isIndex()) {
      top = top.filterIndex(d -> d.platform().filter(platforms::contains).isPresent());
      for (Descriptor child : top.references()) {
        children.add(client.getManifest(source, child.digest().toString()));
      }
    } else {
      children.add(top);
    }
    for (Manifest image : children) {
      for (Descriptor blob : image.references()) {
        copyBlob(client, source, repo, blob);
      }
      if (image != top) {
        client.putManifest(repo, image.digest().toString(), image);
      }
    }
    client.putManifest(repo, top.digest().toString(), top);
    return repo.withDigest(top.digest());
  }

  private static void copyBlob(RegistryClient client, ImageReference from, ImageReference to, Descriptor blob) {
    if (client.blobExists(to, blob.digest())) {
      return;
    }
    RegistryClient.BlobStream stream = client.openBlob(from, blob.digest(), 0);
    long size = blob.size() >= 0 ? blob.size() : stream.length();
    try (InputStream in = stream.body()) {
      // The registry checks the digest it is given against the bytes, so a corrupt read is refused.
      client.uploadBlob(to, blob.digest(), size, out -> in.transferTo(out));
    } catch (IOException e) {
      throw new UncheckedIOException("copying base blob " + blob.digest().shortHex() + " to " + to.name() + ": "
          + e.getMessage(), e);
    }
  }
}
