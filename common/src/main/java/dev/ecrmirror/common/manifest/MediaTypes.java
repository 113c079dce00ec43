package dev.ecrmirror.common.manifest;

import java.util.List;

/**
 * The manifest media types of the OCI image spec and the Docker v2 schema, with predicates.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/main/media-types.md">OCI media types</a>
 */
public final class MediaTypes {
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
  public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
  public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
  public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
  /** Docker schema 1: read-only legacy, still served by some registries. */
  public static final String DOCKER_V1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";
  public static final String DOCKER_V1 = "application/vnd.docker.distribution.manifest.v1+json";

  /** Every manifest type, in the order sent in {@code Accept}: registries that convert pick the first they can. */
  public static final List<String> ALL_MANIFESTS = List.of(
      OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST, DOCKER_V1_SIGNED, DOCKER_V1);

  /** The {@code Accept} header value naming every manifest type. */
  public static final String ACCEPT_ALL_MANIFESTS = String.join(", ", ALL_MANIFESTS);

  private MediaTypes() {}

  /** True for an OCI index or a Docker manifest list: a manifest whose children are manifests. */
  public static boolean isIndex(String mediaType) {
    return OCI_INDEX.equals(mediaType) || DOCKER_LIST.equals(mediaType);
  }

  /** True for a single-image manifest of any schema (OCI, Docker v2, Docker v1). */
  public static boolean isImageManifest(String mediaType) {
    return OCI_MANIFEST.equals(mediaType) || DOCKER_MANIFEST.equals(mediaType) || isSchema1(mediaType);
  }

  /** True for any manifest media type this project knows. */
  public static boolean isManifest(String mediaType) {
    return isIndex(mediaType) || isImageManifest(mediaType);
  }

  /** True for the legacy Docker schema 1 manifests. */
  public static boolean isSchema1(String mediaType) {
    return DOCKER_V1_SIGNED.equals(mediaType) || DOCKER_V1.equals(mediaType);
  }
}
