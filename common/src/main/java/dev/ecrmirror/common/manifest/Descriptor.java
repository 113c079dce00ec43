package dev.ecrmirror.common.manifest;

import dev.ecrmirror.common.ref.Digest;
import java.util.Map;
import java.util.Optional;

/**
 * A content descriptor: what a manifest says about a blob or child manifest it references.
 *
 * @param mediaType the referenced content's media type (may be empty in schema 1 manifests)
 * @param digest the referenced content's digest
 * @param size the size in bytes, or -1 when the manifest does not say
 * @param platform the platform of an index entry, when given
 * @param annotations the descriptor's annotations (never null)
 * @see <a href="https://github.com/opencontainers/image-spec/blob/main/descriptor.md">OCI descriptors</a>
 */
public record Descriptor(String mediaType, Digest digest, long size, Optional<Platform> platform,
    Map<String, String> annotations) {

  public Descriptor {
    annotations = Map.copyOf(annotations);
  }

  /** True when the descriptor points at a manifest (an index entry) rather than a blob. */
  public boolean isManifest() {
    return MediaTypes.isManifest(mediaType);
  }
}
