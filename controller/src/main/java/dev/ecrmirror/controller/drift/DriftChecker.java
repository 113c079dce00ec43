package dev.ecrmirror.controller.drift;

import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.controller.table.Destination;
import dev.ecrmirror.controller.table.MirrorRow;
import dev.ecrmirror.controller.table.RowState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides which destinations of which rows drifted. All references of all rows are resolved in
 * one pass (each distinct one once); then each row is judged on its own.
 *
 * <p>A row without {@code Platforms} is in sync when every destination holds the source digest. A
 * row with {@code Platforms} cannot be judged that way, since the worker rewrites the index and
 * the destination digest differs from the source's by design. Such a row is in sync when the
 * source digest and the platform selection are those of the last successful job
 * ({@code MirroredSourceDigest}, {@code MirroredPlatforms}) and each destination still holds what
 * that job wrote ({@code MirroredDigests}).
 */
public final class DriftChecker {
  private final DigestResolver resolver;

  public DriftChecker(DigestResolver resolver) {
    this.resolver = resolver;
  }

  /** Checks the rows; {@code adopt} names rows whose destinations were just written by a job that succeeded. */
  public List<RowCheck> check(List<MirrorRow> rows, Set<String> adopt) {
    List<ImageReference> refs = new ArrayList<>();
    for (MirrorRow row : rows) {
      refs.add(row.source());
      row.destinations().forEach(d -> refs.add(d.target()));
    }
    Map<ImageReference, Lookup> lookups = resolver.resolve(refs);
    List<RowCheck> out = new ArrayList<>(rows.size());
    for (MirrorRow row : rows) {
      out.add(judge(row, lookups, adopt.contains(row.key())));
    }
    return out;
  }

  static RowCheck judge(MirrorRow row, Map<ImageReference, Lookup> lookups, boolean adopt) {
    Lookup source = lookups.getOrDefault(row.source(), new Lookup.Failed("not checked (interrupted)"));
    Digest sourceDigest;
    switch (source) {
      case Lookup.Found f -> sourceDigest = f.digest();
      case Lookup.Missing m -> {
        return failed(row, Optional.empty(), Map.of(), "source " + row.source() + " not found");
      }
      case Lookup.Failed f -> {
        return failed(row, Optional.empty(), Map.of(), "source: " + f.error());
      }
    }
    Map<String, String> found = new HashMap<>();
    List<String> errors = new ArrayList<>();
    for (Destination d : row.destinations()) {
      switch (lookups.getOrDefault(d.target(), new Lookup.Failed("not checked (interrupted)"))) {
        case Lookup.Found f -> found.put(d.key(), f.digest().toString());
        case Lookup.Missing m -> { }
        case Lookup.Failed f -> errors.add("destination " + d.key() + ": " + f.error());
      }
    }
    if (!errors.isEmpty()) {
      return failed(row, Optional.of(sourceDigest), found, String.join("; ", errors));
    }
    RowState state = row.state();
    boolean platforms = !row.platforms().isEmpty();
    boolean sameSelection = state.mirroredSourceDigest().filter(sourceDigest.toString()::equals).isPresent()
        && state.mirroredPlatforms().orElse("").equals(row.platformsKey());
    List<Destination> drifted = new ArrayList<>();
    Map<String, String> why = new LinkedHashMap<>();
    for (Destination d : row.destinations()) {
      String at = found.get(d.key());
      if (at == null) {
        drifted.add(d);
        why.put(d.key(), "missing");
      } else if (!platforms) {
        if (!at.equals(sourceDigest.toString())) {
          drifted.add(d);
          why.put(d.key(), "at " + shortDigest(at) + ", source at " + sourceDigest.shortHex());
        }
      } else if (adopt && state.claimedDigest().filter(sourceDigest.toString()::equals).isPresent()) {
        // The job for this very source digest just succeeded: what the destination holds now is what it wrote.
        continue;
      } else if (!sameSelection) {
        drifted.add(d);
        why.put(d.key(), state.mirroredSourceDigest().isEmpty() ? "platforms selected, never mirrored by the controller"
            : !state.mirroredPlatforms().orElse("").equals(row.platformsKey()) ? "platform selection changed"
            : "source moved to " + sourceDigest.shortHex());
      } else if (!at.equals(state.mirroredDigests().get(d.key()))) {
        drifted.add(d);
        why.put(d.key(), "at " + shortDigest(at) + ", last mirrored " + shortDigest(state.mirroredDigests().getOrDefault(d.key(), "none")));
      }
    }
    return new RowCheck(row, Optional.of(sourceDigest), found, drifted, why, Optional.empty());
  }

  private static RowCheck failed(MirrorRow row, Optional<Digest> source, Map<String, String> found, String error) {
    return new RowCheck(row, source, found, List.of(), Map.of(), Optional.of(error));
  }

  static String shortDigest(String digest) {
    int colon = digest.indexOf(':');
    String hex = colon >= 0 ? digest.substring(colon + 1) : digest;
    return hex.length() > 12 ? hex.substring(0, 12) : hex;
  }
}
