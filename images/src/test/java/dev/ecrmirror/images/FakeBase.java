package dev.ecrmirror.images;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecrmirror.common.manifest.MediaTypes;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.testing.TestImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Pushes a stand-in for a Java runtime base image into a local registry: per platform one real
 * gzip layer with a fake {@code /opt/java/openjdk/bin/java}, and a config with {@code PATH},
 * {@code JAVA_HOME} and a {@code CMD} (as eclipse-temurin has) that the job images must not inherit.
 */
final class FakeBase {
  static final String JAVA_PATH = "opt/java/openjdk/bin/java";
  static final String PATH = "/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TestImages images;

  FakeBase(URI registry) {
    this.images = new TestImages(registry, 7);
  }

  /** An OCI index tagged {@code tag} with one image per platform ("os/arch") and a BuildKit-style attestation. */
  TestImages.Pushed index(String repo, String tag, List<String> platforms) {
    ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_INDEX);
    ArrayNode entries = index.putArray("manifests");
    for (String platform : platforms) {
      String[] p = platform.split("/");
      TestImages.Pushed image = image(repo, p[0], p[1]);
      ObjectNode entry = descriptor(image);
      entry.putObject("platform").put("architecture", p[1]).put("os", p[0]);
      entries.add(entry);
    }
    TestImages.Pushed attestation = images.artifact(repo, null);
    ObjectNode att = descriptor(attestation);
    att.putObject("platform").put("architecture", "unknown").put("os", "unknown");
    entries.add(att);
    return images.manifest(repo, tag, write(index), MediaTypes.OCI_INDEX);
  }

  /** A single-platform OCI image tagged {@code tag}. */
  TestImages.Pushed single(String repo, String tag, String os, String arch) {
    TestImages.Pushed image = image(repo, os, arch);
    images.tag(repo, tag, image);
    return image;
  }

  private TestImages.Pushed image(String repo, String os, String arch) {
    byte[] java = ("#!/bin/sh\necho 'fake java for " + os + "/" + arch + "'\n").getBytes(StandardCharsets.UTF_8);
    byte[] tar = Tars.tar(Map.of(JAVA_PATH, java));
    byte[] layer = Tars.gzipTar(Map.of(JAVA_PATH, java));
    TestImages.Pushed layerBlob = images.blob(repo, layer, MediaTypes.OCI_LAYER_GZIP);

    ObjectNode config = JSON.createObjectNode().put("architecture", arch).put("os", os)
        .put("created", "2026-01-01T00:00:00Z");
    ObjectNode runtime = config.putObject("config");
    runtime.putArray("Env").add("PATH=" + PATH).add("JAVA_HOME=/opt/java/openjdk");
    runtime.putArray("Cmd").add("jshell");
    runtime.putObject("Labels").put("org.opencontainers.image.version", "base-version");
    config.putObject("rootfs").put("type", "layers").putArray("diff_ids").add(Digest.sha256(tar).toString());
    config.putArray("history").addObject().put("created", "2026-01-01T00:00:00Z").put("created_by", "fake base");
    TestImages.Pushed configBlob = images.blob(repo, write(config), MediaTypes.OCI_CONFIG);

    ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST);
    manifest.set("config", descriptor(configBlob));
    manifest.putArray("layers").add(descriptor(layerBlob));
    byte[] bytes = write(manifest);
    return images.manifest(repo, Digest.sha256(bytes).toString(), bytes, MediaTypes.OCI_MANIFEST);
  }

  private static ObjectNode descriptor(TestImages.Pushed pushed) {
    return JSON.createObjectNode().put("mediaType", pushed.mediaType()).put("digest", pushed.digest().toString())
        .put("size", pushed.size());
  }

  private static byte[] write(Object node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
