package dev.ecrmirror.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecrmirror.common.manifest.Descriptor;
import dev.ecrmirror.common.manifest.Manifest;
import dev.ecrmirror.common.manifest.Platform;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The base image as resolved once before building: its digest (both images are built on exactly
 * that tree, even if the tag moves meanwhile) and the platforms it actually offers.
 *
 * @param reference the base as the user named it
 * @param digest the digest the reference pointed at when inspected
 * @param platforms the platforms it offers, in its own order (attestation entries excluded)
 * @param multiPlatform true for an index or manifest list, false for a single image
 */
record BaseImage(ImageReference reference, Digest digest, List<Platform> platforms, boolean multiPlatform) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The platforms to build and what the user should be told about the choice. */
  record Choice(List<Platform> platforms, List<String> notes) {}

  /** Reads the base's top manifest (and, for a single image, its config) to learn its platforms. */
  static BaseImage inspect(RegistryClient client, ImageReference reference) {
    Manifest top = client.getManifest(reference);
    if (top.isIndex()) {
      List<Platform> platforms = new ArrayList<>();
      for (Descriptor entry : top.references()) {
        // BuildKit lists attestations as unknown/unknown: they are not runnable platforms.
        entry.platform().filter(p -> !p.os().equals("unknown")).ifPresent(platforms::add);
      }
      return new BaseImage(reference, top.digest(), List.copyOf(platforms), true);
    }
    Descriptor config = top.references().stream().findFirst().orElseThrow(() ->
        new IllegalStateException("base image " + reference + " has a manifest without a config"));
    JsonNode json;
    try (InputStream in = client.openBlob(reference, config.digest(), 0).body()) {
      json = JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("reading the config of base image " + reference + ": " + e.getMessage(), e);
    }
    Platform platform = new Platform(json.path("os").asText("linux"), json.path("architecture").asText("amd64"),
        json.path("variant").asText(""));
    return new BaseImage(reference, top.digest(), List.of(platform), false);
  }

  /** The base pinned by digest, as jib should pull it. */
  String pinned() {
    return reference.name() + "@" + digest;
  }

  /**
   * The requested platforms this base has. A single-platform base builds its one platform whatever
   * was asked, and says so; requested platforms an index lacks are skipped with a note.
   *
   * @throws IllegalArgumentException when an index offers none of the requested platforms
   */
  Choice choose(List<Platform> requested) {
    if (!multiPlatform) {
      Platform only = platforms.getFirst();
      return new Choice(platforms, List.of("base image " + reference + " is single-platform (" + only
          + "): building " + only + " only"));
    }
    LinkedHashSet<Platform> chosen = new LinkedHashSet<>();
    List<String> notes = new ArrayList<>();
    for (Platform wanted : requested) {
      platforms.stream().filter(wanted::selects).findFirst().ifPresentOrElse(chosen::add,
          () -> notes.add("base image " + reference + " has no " + wanted + " image: skipping " + wanted));
    }
    if (chosen.isEmpty()) {
      throw new IllegalArgumentException("base image " + reference + " offers " + describe(platforms)
          + ", none of the requested platforms (" + describe(requested) + ")");
    }
    return new Choice(List.copyOf(chosen), notes);
  }

  static String describe(List<Platform> platforms) {
    return platforms.stream().map(Platform::toString).collect(Collectors.joining(", "));
  }
}
