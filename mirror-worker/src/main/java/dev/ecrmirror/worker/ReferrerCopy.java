package dev.ecrmirror.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.FailureKind;
import dev.ecrmirror.common.Failures;
import dev.ecrmirror.common.Json;
import dev.ecrmirror.common.LazyLogger;
import dev.ecrmirror.common.manifest.Manifest;
import dev.ecrmirror.common.manifest.MediaTypes;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient.ManifestHead;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.worker.DestinationResult.Status;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Brings an image's referrers (signatures, SBOMs, attestations) to the destinations that just
 * received the image, or with {@code --referrers-only} to those that hold it already. A referrer is
 * just another small image: each referrer tag is copied as a tag and each referrer the API lists is
 * copied by digest, through the engine, byte for byte, so {@code cosign verify} against the mirror
 * checks the same signature. Where a destination lacks the referrers API and the source's referrers
 * came through it (or through a type-filtered schema index), the referrers tag schema's index
 * {@code sha256-<hex>} is written there, never empty.
 */
final class ReferrerCopy {
  private static final LazyLogger LOG = LazyLogger.of(ReferrerCopy.class);
  /** Referrers copied at once, at most; never more than the engine's --jobs, which they share. */
  private static final int AT_ONCE = 4;
  private static final String HOW_TO_SKIP = " (--no-referrers, or Referrers=false on the row, skips referrers)";

  /** One image whose referrers are wanted: its report, and its top manifest when the copy read it. */
  record Image(MirrorReport report, Optional<Manifest> top) {}

  /** One referrer to copy: by tag, or by digest (its descriptor from the API or a filtered schema index). */
  private record Item(Digest subject, String tag, JsonNode descriptor, String artifactType) {
    Digest digest() {
      return Digest.parse(descriptor.path("digest").asText());
    }
  }

  /** One destination repository: the referrers it holds now, and per subject why some are missing. */
  private static final class Outcome {
    final List<MirrorReport.Referrer> referrers = new ArrayList<>();
    final Map<Digest, Failure> failures = new LinkedHashMap<>();

    void fail(Digest subject, Failure failure) {
      failures.putIfAbsent(subject, failure);
    }
  }

  private final MirrorEngine engine;
  private final RegistryClient client;
  private final ReferrerPolicy policy;
  private final ImageReference sourceRepo;

  private ReferrerCopy(MirrorEngine engine, RegistryClient client, ReferrerPolicy policy, ImageReference sourceRepo) {
    this.engine = engine;
    this.client = client;
    this.policy = policy;
    this.sourceRepo = sourceRepo;
  }

  /**
   * The images' reports once their referrers are copied: each destination that received its image
   * (with {@code only}: that holds it) gets the referrers of the image's subjects, and fails when
   * one could not be brought there; with {@code only}, a destination lacking the image fails. A dry
   * run, or referrers turned off, leaves the reports as they are.
   */
  static List<MirrorReport> after(MirrorEngine engine, RegistryClient client, ImageReference source,
      ReferrerPolicy policy, boolean dryRun, List<Image> images) {
    if (!policy.enabled() || dryRun) {
      return images.stream().map(Image::report).toList();
    }
    ImageReference repo = repository(source);
    Status wanted = policy.only() ? Status.IN_SYNC : Status.COPIED;
    Map<ImageReference, Set<Digest>> subjectsByRepo = new LinkedHashMap<>();
    Map<Image, List<Digest>> subjectsOf = new HashMap<>();
    Map<Image, Failure> unread = new HashMap<>();
    for (Image image : images) {
      List<ImageReference> dests = image.report().destinations().stream().filter(r -> r.status() == wanted)
          .map(DestinationResult::destination).toList();
      if (dests.isEmpty()) {
        continue;
      }
      List<Digest> subjects;
      try {
        Manifest top = image.top().orElseGet(() -> client.getManifest(image.report().source()));
        subjects = Referrers.subjects(top, image.report().indexRewritten());
      } catch (RuntimeException e) {
        unread.put(image, new Failure(Failures.kind(e), "find referrers of " + image.report().source() + ": "
            + Failures.describe(e) + HOW_TO_SKIP));
        continue;
      }
      subjectsOf.put(image, subjects);
      dests.forEach(d -> subjectsByRepo.computeIfAbsent(repository(d), k -> new LinkedHashSet<>()).addAll(subjects));
    }
    Map<ImageReference, Outcome> outcomes = new ReferrerCopy(engine, client, policy, repo).copy(subjectsByRepo);
    List<MirrorReport> out = new ArrayList<>();
    for (Image image : images) {
      MirrorReport report = image.report();
      List<Digest> subjects = subjectsOf.getOrDefault(image, List.of());
      List<DestinationResult> results = new ArrayList<>();
      List<MirrorReport.Referrer> referrers = new ArrayList<>();
      for (DestinationResult r : report.destinations()) {
        if (policy.only() && r.status() == Status.WOULD_COPY) {
          results.add(failed(r, new Failure(FailureKind.PERMANENT, "it lacks the image " + report.digest()
              + ": --referrers-only copies the referrers of an image already there; copy the image first")));
          continue;
        }
        if (r.status() != wanted) {
          results.add(r);
          continue;
        }
        Outcome outcome = outcomes.get(repository(r.destination()));
        Failure failure = unread.get(image);
        if (failure == null && outcome != null) {
          failure = subjects.stream().map(outcome.failures::get).filter(f -> f != null).findFirst().orElse(null);
          outcome.referrers.stream().filter(x -> subjects.contains(x.subject())).forEach(referrers::add);
        }
        results.add(failure == null ? r : failed(r, failure));
      }
      out.add(new MirrorReport(report.source(), report.digest(), report.mediaType(), report.indexRewritten(), results,
          report.sourceBytesRead(), referrers));
    }
    return out;
  }

  /** The result, failed: the image stays where it is (its digest is kept), the referrers are missing. */
  private static DestinationResult failed(DestinationResult r, Failure why) {
    return new DestinationResult(r.destination(), Status.FAILED, r.digest(), r.blobsUploaded(), r.blobsMounted(),
        r.blobsPresent(), r.bytesUploaded(), r.elapsed(), Optional.of(why));
  }

  /** The referrers of each repository's subjects, copied there. */
  private Map<ImageReference, Outcome> copy(Map<ImageReference, Set<Digest>> subjectsByRepo) {
    Map<ImageReference, Outcome> outcomes = new LinkedHashMap<>();
    Set<Digest> all = new LinkedHashSet<>();
    subjectsByRepo.forEach((repo, subjects) -> {
      outcomes.put(repo, new Outcome());
      all.addAll(subjects);
    });
    if (all.isEmpty()) {
      return outcomes;
    }
    Referrers.Discovery found;
    try {
      found = Referrers.discover(client, sourceRepo, all);
    } catch (RuntimeException e) {
      if (Failures.kind(e) == FailureKind.PERMANENT) {
        // The source will not let us list its tags (a pull-only login, a registry without tag listing):
        // the image is copied all the same, without what refers to it, and the run says so once.
        LOG.get().warn("cannot look for signatures and other referrers in {} ({}): the image was copied without them;"
            + " --no-referrers (Referrers=false on a row) skips the lookup", sourceRepo.name(), Failures.describe(e));
        return outcomes;
      }
      Failure why = new Failure(Failures.kind(e), "find referrers in " + sourceRepo.name() + ": " + Failures.describe(e)
          + HOW_TO_SKIP);
      subjectsByRepo.forEach((repo, subjects) -> subjects.forEach(s -> outcomes.get(repo).fail(s, why)));
      return outcomes;
    }
    List<Item> items = new ArrayList<>();
    // Per subject, the descriptors a destination without the referrers API needs in its schema index.
    Map<Digest, Map<Digest, JsonNode>> toIndex = new LinkedHashMap<>();
    for (Referrers.Found f : found.bySubject().values()) {
      try {
        plan(f, items, toIndex);
      } catch (RuntimeException e) {
        Failure why = new Failure(Failures.kind(e), "read referrers of " + f.subject() + " in " + sourceRepo.name()
            + ": " + Failures.describe(e));
        subjectsByRepo.forEach((repo, subjects) -> {
          if (subjects.contains(f.subject())) {
            outcomes.get(repo).fail(f.subject(), why);
          }
        });
      }
    }
    copyItems(items, subjectsByRepo, outcomes);
    Map<ImageReference, Boolean> servesApi = new HashMap<>();
    toIndex.forEach((subject, entries) -> subjectsByRepo.forEach((repo, subjects) -> {
      Outcome outcome = outcomes.get(repo);
      if (entries.isEmpty() || !subjects.contains(subject) || outcome.failures.containsKey(subject)) {
        return;
      }
      try {
        // A registry with the API lists the copied referrers itself, from their subject field.
        if (servesApi.computeIfAbsent(repo, r -> client.referrers(r, subject).isPresent())) {
          return;
        }
        outcome.referrers.add(writeIndex(repo, subject, entries.values()));
      } catch (RuntimeException e) {
        outcome.fail(subject, new Failure(Failures.kind(e), "write the referrers index " + Referrers.schemaTag(subject)
            + " to " + repo.name() + ": " + Failures.describe(e)));
      }
    }));
    return outcomes;
  }

  /** What to copy for one subject, filtered by type; reads a referrer tag's manifest only when filtering. */
  private void plan(Referrers.Found f, List<Item> items, Map<Digest, Map<Digest, JsonNode>> toIndex) {
    Digest subject = f.subject();
    String schemaTag = Referrers.schemaTag(subject);
    Set<Digest> planned = new HashSet<>();
    boolean schemaIndexCopied = false;
    for (String tag : f.tags()) {
      if (!policy.filtering()) {
        items.add(new Item(subject, tag, null, ""));
        schemaIndexCopied |= tag.equals(schemaTag);
        continue;
      }
      Manifest m = client.getManifest(sourceRepo, tag);
      if (tag.equals(schemaTag) && m.isIndex()) {
        // Copied as is it would list what the filter leaves out: its kept entries go into an index
        // built at the destination instead.
        for (JsonNode entry : readTree(m).path("manifests")) {
          String type = Referrers.artifactType(entry);
          if (policy.wants(type) && planned.add(Digest.parse(entry.path("digest").asText()))) {
            items.add(new Item(subject, null, entry, type));
            toIndex.computeIfAbsent(subject, k -> new LinkedHashMap<>()).put(Digest.parse(entry.path("digest").asText()), entry);
          }
        }
      } else {
        String type = Referrers.artifactType(m);
        if (policy.wants(type)) {
          items.add(new Item(subject, tag, null, type));
        }
      }
    }
    for (JsonNode d : f.viaApi()) {
      String type = Referrers.artifactType(d);
      Digest digest = Digest.parse(d.path("digest").asText());
      if (!policy.wants(type) || !planned.add(digest)) {
        continue;
      }
      items.add(new Item(subject, null, d, type));
      if (!schemaIndexCopied) {
        toIndex.computeIfAbsent(subject, k -> new LinkedHashMap<>()).put(digest, d);
      }
    }
  }

  /**
   * Copies the referrers, each through the engine to every repository that wants its subject,
   * up to {@value #AT_ONCE} at a time: each is a small image whose copy is a few round trips, one after
   * another, so across a slow link they would otherwise add up to most of a signed repository's run.
   * Their results are taken in item order, so a run reports them the same way every time.
   */
  private void copyItems(List<Item> items, Map<ImageReference, Set<Digest>> subjectsByRepo,
      Map<ImageReference, Outcome> outcomes) {
    int atOnce = Math.min(AT_ONCE, engine.jobs());
    // The copies share the run's --jobs: together they run no more registry operations at once than one copy would.
    MirrorEngine share = engine.withJobs(Math.max(1, engine.jobs() / atOnce));
    ExecutorService threads = Executors.newFixedThreadPool(atOnce, Thread.ofPlatform().daemon().name("referrers-", 0).factory());
    try {
      Map<Item, List<ImageReference>> wanting = new LinkedHashMap<>();
      Map<Item, Future<MirrorReport>> copies = new LinkedHashMap<>();
      for (Item item : items) {
        List<ImageReference> repos = subjectsByRepo.entrySet().stream()
            .filter(e -> e.getValue().contains(item.subject()) && !outcomes.get(e.getKey()).failures.containsKey(item.subject()))
            .map(Map.Entry::getKey).toList();
        if (!repos.isEmpty()) {
          List<ImageReference> dests = repos.stream()
              .map(r -> item.tag() != null ? r.withTag(item.tag()) : r.withDigest(item.digest())).toList();
          wanting.put(item, repos);
          copies.put(item, threads.submit(() -> share.mirror(new MirrorRequest(source(item), dests, List.of(), false,
              ReferrerPolicy.NONE))));
        }
      }
      copies.forEach((item, copy) -> settle(item, wanting.get(item), copy, outcomes));
    } finally {
      threads.shutdownNow();
    }
  }

  private ImageReference source(Item item) {
    return item.tag() != null ? sourceRepo.withTag(item.tag()) : sourceRepo.withDigest(item.digest());
  }

  /** Records one referrer's copy in the outcome of each repository it went to. */
  private void settle(Item item, List<ImageReference> repos, Future<MirrorReport> copy,
      Map<ImageReference, Outcome> outcomes) {
    MirrorReport report;
    try {
      report = copy.get();
    } catch (ExecutionException e) {
      Failure why = new Failure(Failures.kind(e.getCause()), "copy referrer " + source(item) + ": "
          + Failures.describe(e.getCause()));
      repos.forEach(r -> outcomes.get(r).fail(item.subject(), why));
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    for (int i = 0; i < repos.size() && i < report.destinations().size(); i++) {
      DestinationResult r = report.destinations().get(i);
      Outcome outcome = outcomes.get(repos.get(i));
      if (r.failure().isPresent()) {
        outcome.fail(item.subject(), new Failure(r.failure().get().kind(), "copy referrer " + source(item) + " to "
            + r.destination() + ": " + r.failure().get().message()));
      } else {
        outcome.referrers.add(new MirrorReport.Referrer(r.destination(), item.subject(), report.digest(),
            item.artifactType(), r.status() == Status.COPIED));
      }
    }
  }

  /**
   * Writes the referrers tag schema's index for {@code subject}: the descriptors, merged with those
   * of an index already there, sorted by digest so the same referrers always give the same bytes.
   * Nothing is written when the index there lists every one of them already.
   */
  private MirrorReport.Referrer writeIndex(ImageReference repo, Digest subject, java.util.Collection<JsonNode> entries) {
    ImageReference ref = repo.withTag(Referrers.schemaTag(subject));
    Map<String, JsonNode> merged = new LinkedHashMap<>();
    Optional<ManifestHead> head = client.headManifest(ref);
    if (head.isPresent()) {
      for (JsonNode e : readTree(client.getManifest(ref)).path("manifests")) {
        merged.putIfAbsent(e.path("digest").asText(), e);
      }
    }
    boolean missing = entries.stream().anyMatch(e -> !merged.containsKey(e.path("digest").asText()));
    if (head.isPresent() && !missing) {
      return new MirrorReport.Referrer(ref, subject, head.get().digest(), MediaTypes.OCI_INDEX, false);
    }
    entries.forEach(e -> merged.putIfAbsent(e.path("digest").asText(), e));
    ObjectNode root = Json.mapper().createObjectNode();
    root.put("schemaVersion", 2);
    root.put("mediaType", MediaTypes.OCI_INDEX);
    ArrayNode manifests = root.putArray("manifests");
    merged.values().stream().sorted(Comparator.comparing(e -> e.path("digest").asText())).forEach(manifests::add);
    Manifest index;
    try {
      index = Manifest.of(Json.mapper().writeValueAsBytes(root), MediaTypes.OCI_INDEX);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    client.putManifest(repo, ref.manifestReference(), index);
    return new MirrorReport.Referrer(ref, subject, index.digest(), MediaTypes.OCI_INDEX, true);
  }

  private static JsonNode readTree(Manifest m) {
    try {
      return Json.readTree(m.bytes());
    } catch (IOException e) {
      throw new IllegalArgumentException("manifest " + m.digest() + " is not JSON: " + e.getMessage(), e);
    }
  }

  /** The repository of a reference, without tag or digest. */
  static ImageReference repository(ImageReference ref) {
    return ImageReference.parse(ref.name());
  }
}
