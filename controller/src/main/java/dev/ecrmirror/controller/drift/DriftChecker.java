package dev.ecrmirror.controller.drift;

import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.FailureKind;
import dev.ecrmirror.common.Failures;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.tags.TagLister;
import dev.ecrmirror.controller.drift.RepositoryCheck.TagCheck;
import dev.ecrmirror.controller.table.Destination;
import dev.ecrmirror.controller.table.MirrorRow;
import dev.ecrmirror.controller.table.RowState;
import dev.ecrmirror.controller.table.RowStatus;
import dev.ecrmirror.controller.table.TagState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.function.Function;

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
 *
 * <p>A repository row is first listed (each in parallel), its rules select tags, and then each
 * selected tag is judged like a single-image row: its source digest from the listing when it gives
 * one, else a {@code HEAD}, and each destination's {@code dest:tag} resolved with every other
 * reference of the run. A Platforms repository row judges each tag from what its tag state records
 * as last mirrored.
 */
public final class DriftChecker {
  /** Listings (and tag-state reads) in flight at once. */
  private static final int LISTINGS = 8;

  private final DigestResolver resolver;
  private final TagLister tags;
  private Consumer<Check> observer = check -> { };

  /** Lists repository rows' sources with the registry API alone (no ECR listing). */
  public DriftChecker(DigestResolver resolver) {
    this(resolver, new TagLister(resolver.registry(), Optional.empty()));
  }

  public DriftChecker(DigestResolver resolver, TagLister tags) {
    this.resolver = resolver;
    this.tags = tags;
  }

  /**
   * Shows every check to {@code observer} once it is made: the run report reads from it what each
   * destination held before the run, and why it drifted.
   */
  public DriftChecker observing(Consumer<Check> observer) {
    this.observer = observer;
    return this;
  }

  /** Checks the rows; {@code adopt} names rows whose destinations were just written by a job that succeeded. */
  public List<Check> check(List<MirrorRow> rows, Set<String> adopt) {
    return check(rows, adopt, row -> Map.of());
  }

  /**
   * Checks the rows; {@code previous} reads a repository row's stored tag states (it may throw,
   * failing that row alone).
   */
  public List<Check> check(List<MirrorRow> rows, Set<String> adopt, Function<MirrorRow, Map<String, TagState>> previous) {
    Map<String, Prepared> prepared = prepare(rows.stream().filter(MirrorRow::isRepository).toList(), previous);
    List<ImageReference> refs = new ArrayList<>();
    for (MirrorRow row : rows) {
      if (row.isRepository()) {
        Prepared p = prepared.get(row.key());
        if (p.error().isPresent()) {
          continue;
        }
        for (String tag : p.selected()) {
          if (!p.listing().digests().containsKey(tag)) {
            refs.add(row.source().withTag(tag));
          }
          row.destinations().forEach(d -> refs.add(d.target().withTag(tag)));
        }
      } else {
        refs.add(row.source());
        row.destinations().forEach(d -> refs.add(d.target()));
      }
    }
    Map<ImageReference, Lookup> lookups = resolver.resolve(refs);
    List<Check> out = new ArrayList<>(rows.size());
    for (MirrorRow row : rows) {
      boolean adopted = adopt.contains(row.key());
      out.add(row.isRepository() ? judgeRepository(row, prepared.get(row.key()), lookups, adopted)
          : judge(row, lookups, adopted));
    }
    out.forEach(observer);
    return out;
  }

  /** A repository row after listing and selection, before digests. */
  private record Prepared(TagLister.Listing listing, List<String> selected, Map<String, TagState> previous,
      Optional<String> error, FailureKind kind) {}

  private Map<String, Prepared> prepare(List<MirrorRow> rows, Function<MirrorRow, Map<String, TagState>> previous) {
    Map<String, Future<Prepared>> pending = new LinkedHashMap<>();
    Semaphore permits = new Semaphore(LISTINGS);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (MirrorRow row : rows) {
        pending.put(row.key(), pool.submit(() -> {
          permits.acquireUninterruptibly();
          try {
            return prepare(row, previous);
          } finally {
            permits.release();
          }
        }));
      }
      Map<String, Prepared> out = new HashMap<>();
      for (Map.Entry<String, Future<Prepared>> e : pending.entrySet()) {
        try {
          out.put(e.getKey(), e.getValue().get());
        } catch (ExecutionException ex) {
          out.put(e.getKey(), failedPrep("check failed: " + ex.getCause().getMessage(), Failures.kind(ex.getCause())));
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
          out.put(e.getKey(), failedPrep("not checked (interrupted)", FailureKind.TRANSIENT));
        }
      }
      return out;
    }
  }

  private Prepared prepare(MirrorRow row, Function<MirrorRow, Map<String, TagState>> previous) {
    TagLister.Listing listing;
    try {
      listing = tags.list(row.source());
    } catch (RuntimeException e) {
      String why = e.getMessage() == null ? e.toString() : e.getMessage();
      return failedPrep(why.contains(row.source().name()) ? why : "list tags of " + row.source().name() + ": " + why,
          Failures.kind(e));
    }
    Map<String, TagState> stored;
    try {
      stored = previous.apply(row);
    } catch (RuntimeException e) {
      return failedPrep(e.getMessage(), Failures.kind(e));
    }
    List<String> selected = row.rules().orElseThrow().select(listing.tags());
    return new Prepared(listing, selected, stored, Optional.empty(), FailureKind.TRANSIENT);
  }

  private static Prepared failedPrep(String error, FailureKind kind) {
    return new Prepared(new TagLister.Listing(List.of(), Map.of(), 0), List.of(), Map.of(), Optional.of(error), kind);
  }

  private static RepositoryCheck judgeRepository(MirrorRow row, Prepared p, Map<ImageReference, Lookup> lookups,
      boolean adopt) {
    if (p.error().isPresent()) {
      return new RepositoryCheck(row, p.error(), 0, List.of(), p.previous(), p.kind());
    }
    List<TagCheck> checks = new ArrayList<>(p.selected().size());
    for (String tag : p.selected()) {
      checks.add(judgeTag(row, tag, Optional.ofNullable(p.listing().digests().get(tag)), lookups,
          p.previous().get(tag), adopt));
    }
    return new RepositoryCheck(row, Optional.empty(), p.listing().tags().size(), checks, p.previous());
  }

  static TagCheck judgeTag(MirrorRow row, String tag, Optional<Digest> listed, Map<ImageReference, Lookup> lookups,
      TagState previous, boolean adopt) {
    Digest sourceDigest;
    if (listed.isPresent()) {
      sourceDigest = listed.get();
    } else {
      ImageReference source = row.source().withTag(tag);
      switch (lookups.getOrDefault(source, new Lookup.Failed("not checked (interrupted)"))) {
        case Lookup.Found f -> sourceDigest = f.digest();
        case Lookup.Missing m -> {
          return new TagCheck(tag, Optional.empty(), Map.of(), List.of(), Map.of(),
              Optional.of("source " + source + " not found (removed since the listing?)"), FailureKind.PERMANENT);
        }
        case Lookup.Failed f -> {
          return new TagCheck(tag, Optional.empty(), Map.of(), List.of(), Map.of(), Optional.of("source: " + f.error()),
              f.failure().kind());
        }
      }
    }
    Map<String, String> found = new HashMap<>();
    List<String> errors = new ArrayList<>();
    Set<String> unchecked = new java.util.HashSet<>();
    FailureKind kind = FailureKind.TRANSIENT;
    for (Destination d : row.destinations()) {
      switch (lookups.getOrDefault(d.target().withTag(tag), new Lookup.Failed("not checked (interrupted)"))) {
        case Lookup.Found f -> found.put(d.key(), f.digest().toString());
        case Lookup.Missing m -> { }
        case Lookup.Failed f -> {
          errors.add("destination " + d.key() + ": " + f.error());
          unchecked.add(d.key());
          kind = errors.size() == 1 ? f.failure().kind() : kind.worst(f.failure().kind());
        }
      }
    }
    Mirrored mirrored = previous == null ? Mirrored.NONE
        : new Mirrored(previous.mirroredSourceDigest(), previous.mirroredPlatforms(), previous.mirroredDigests());
    boolean adoptNow = adopt && previous != null && previous.status() == RowStatus.SUBMITTED
        && previous.sourceDigest().filter(sourceDigest.toString()::equals).isPresent();
    // A destination that cannot be checked is left out; the healthy ones are judged (and copied) all the same.
    Judgement j = judgeDestinations(row, sourceDigest, found, mirrored, adoptNow, unchecked);
    return new TagCheck(tag, Optional.of(sourceDigest), found, j.drifted(), j.why(),
        errors.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", errors)), kind);
  }

  static RowCheck judge(MirrorRow row, Map<ImageReference, Lookup> lookups, boolean adopt) {
    Lookup source = lookups.getOrDefault(row.source(), new Lookup.Failed("not checked (interrupted)"));
    Digest sourceDigest;
    switch (source) {
      case Lookup.Found f -> sourceDigest = f.digest();
      case Lookup.Missing m -> {
        return failed(row, new Failure(FailureKind.PERMANENT, "source " + row.source() + " not found"));
      }
      case Lookup.Failed f -> {
        return failed(row, new Failure(f.failure().kind(), "source: " + f.error()));
      }
    }
    Map<String, String> found = new HashMap<>();
    Map<String, Failure> errors = new LinkedHashMap<>();
    for (Destination d : row.destinations()) {
      switch (lookups.getOrDefault(d.target(), new Lookup.Failed("not checked (interrupted)"))) {
        case Lookup.Found f -> found.put(d.key(), f.digest().toString());
        case Lookup.Missing m -> { }
        case Lookup.Failed f -> errors.put(d.key(), new Failure(f.failure().kind(), "destination " + d.key() + ": " + f.error()));
      }
    }
    // A destination that cannot be checked is left out of the judgement; the healthy ones go on.
    RowState state = row.state();
    Mirrored mirrored = new Mirrored(state.mirroredSourceDigest(), state.mirroredPlatforms(), state.mirroredDigests());
    boolean adoptNow = adopt && state.claimedDigest().filter(sourceDigest.toString()::equals).isPresent();
    Judgement j = judgeDestinations(row, sourceDigest, found, mirrored, adoptNow, errors.keySet());
    return new RowCheck(row, Optional.of(sourceDigest), found, j.drifted(), j.why(), Optional.empty(), errors);
  }

  /** What the last successful copy wrote: the source digest, the platform selection, and each destination's digest. */
  private record Mirrored(Optional<String> sourceDigest, Optional<String> platforms, Map<String, String> digests) {
    static final Mirrored NONE = new Mirrored(Optional.empty(), Optional.empty(), Map.of());
  }

  private record Judgement(List<Destination> drifted, Map<String, String> why) {}

  /**
   * Judges each destination of one image (a single-image row, or one tag of a repository row).
   * {@code adoptNow}: a job for this very source digest just succeeded, so what a Platforms
   * destination holds now is what it wrote.
   */
  private static Judgement judgeDestinations(MirrorRow row, Digest sourceDigest, Map<String, String> found,
      Mirrored mirrored, boolean adoptNow) {
    return judgeDestinations(row, sourceDigest, found, mirrored, adoptNow, Set.of());
  }

  /** As above, leaving out the destinations in {@code unchecked}. */
  private static Judgement judgeDestinations(MirrorRow row, Digest sourceDigest, Map<String, String> found,
      Mirrored mirrored, boolean adoptNow, Set<String> unchecked) {
    boolean platforms = !row.platforms().isEmpty();
    boolean sameSelection = mirrored.sourceDigest().filter(sourceDigest.toString()::equals).isPresent()
        && mirrored.platforms().orElse("").equals(row.platformsKey());
    List<Destination> drifted = new ArrayList<>();
    Map<String, String> why = new LinkedHashMap<>();
    for (Destination d : row.destinations()) {
      String at = found.get(d.key());
      if (unchecked.contains(d.key())) {
        continue;
      }
      if (at == null) {
        drifted.add(d);
        why.put(d.key(), "missing");
      } else if (!platforms) {
        if (!at.equals(sourceDigest.toString())) {
          drifted.add(d);
          why.put(d.key(), "at " + shortDigest(at) + ", source at " + sourceDigest.shortHex());
        }
      } else if (adoptNow) {
        continue;
      } else if (!sameSelection) {
        drifted.add(d);
        why.put(d.key(), mirrored.sourceDigest().isEmpty() ? "platforms selected, never mirrored by the controller"
            : !mirrored.platforms().orElse("").equals(row.platformsKey()) ? "platform selection changed"
            : "source moved to " + sourceDigest.shortHex());
      } else if (!at.equals(mirrored.digests().get(d.key()))) {
        drifted.add(d);
        why.put(d.key(), "at " + shortDigest(at) + ", last mirrored " + shortDigest(mirrored.digests().getOrDefault(d.key(), "none")));
      }
    }
    return new Judgement(drifted, why);
  }

  private static RowCheck failed(MirrorRow row, Failure failure) {
    return new RowCheck(row, Optional.empty(), Map.of(), List.of(), Map.of(), Optional.of(failure), Map.of());
  }

  static String shortDigest(String digest) {
    int colon = digest.indexOf(':');
    String hex = colon >= 0 ? digest.substring(colon + 1) : digest;
    return hex.length() > 12 ? hex.substring(0, 12) : hex;
  }
}
