package dev.ecrmirror.controller.jobs;

import dev.ecrmirror.common.ExistingTags;
import dev.ecrmirror.common.manifest.Platform;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.Pin;
import dev.ecrmirror.controller.table.Destination;
import dev.ecrmirror.controller.table.MirrorRow;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One mirror job: copy a row's source to its drifted destinations, pinned to the digests the
 * controller checked ({@code pin}: comma-separated {@code TAG@sha256:…}).
 *
 * @param row the row
 * @param digest for a single-image row, the source digest the drift was seen at; empty for a repository row
 * @param destinations only the drifted destinations (for a repository row: those lacking at least one tag)
 * @param pins the tags to copy with their checked digests: one for a tagged single-image source, the
 *     drifted tags of a repository row, none for a source named by digest
 * @param part which of the row's jobs this is (1-based), when the pins had to be split
 * @param parts how many jobs the row's pins were split into
 * @param claim the token of the claim the job runs under, empty for none; its job name starts with
 *     {@link #namePrefix(String)} of it, so a controller that takes the claim over finds the job
 */
public record MirrorJob(MirrorRow row, Optional<Digest> digest, List<Destination> destinations, List<Pin> pins,
    int part, int parts, String claim) {
  /**
   * AWS Batch refuses a job whose parameters (with its container overrides) exceed 30 KiB; a job
   * stays this far below it.
   */
  public static final int PARAMETER_LIMIT = 30 * 1024 - 512;

  /** The job parameter carrying a row's {@code ExistingTags} (the worker's {@code --existing-tags Ref::existing}). */
  public static final String EXISTING_PARAMETER = "existing";

  public MirrorJob(MirrorRow row, Optional<Digest> digest, List<Destination> destinations, List<Pin> pins, int part,
      int parts) {
    this(row, digest, destinations, pins, part, parts, "");
  }

  public MirrorJob {
    destinations = List.copyOf(destinations);
    pins = List.copyOf(pins);
    if (destinations.isEmpty()) {
      throw new IllegalArgumentException("a job needs at least one destination");
    }
    if (row.isRepository() && pins.isEmpty()) {
      throw new IllegalArgumentException("a repository job needs at least one pinned tag");
    }
  }

  /** A single-image row's job, pinned to {@code sourceDigest} (by its tag, when the source has one). */
  public MirrorJob(MirrorRow row, Digest sourceDigest, List<Destination> destinations) {
    this(row, Optional.of(sourceDigest), destinations,
        row.source().tag().map(t -> List.of(new Pin(t, sourceDigest))).orElse(List.of()), 1, 1);
  }

  /**
   * A repository row's jobs: every pin once, split into as many jobs as keep each job's parameters
   * under {@link #PARAMETER_LIMIT}.
   */
  public static List<MirrorJob> repository(MirrorRow row, List<Destination> destinations, List<Pin> pins) {
    return repository(row, destinations, pins, PARAMETER_LIMIT);
  }

  static List<MirrorJob> repository(MirrorRow row, List<Destination> destinations, List<Pin> pins, int limit) {
    if (pins.isEmpty()) {
      return List.of();
    }
    // Platforms rows carry the pins twice: in the parameters and in the overridden command.
    int copies = row.platforms().isEmpty() ? 1 : 2;
    MirrorJob empty = new MirrorJob(row, Optional.empty(), destinations, pins.subList(0, Math.min(1, pins.size())), 1, 1);
    int fixed = empty.parameterSize() - copies * bytes(empty.pins().isEmpty() ? "" : empty.pins().get(0).toString());
    List<List<Pin>> groups = new ArrayList<>();
    List<Pin> current = new ArrayList<>();
    int size = fixed;
    for (Pin pin : pins) {
      int cost = copies * (bytes(pin.toString()) + (current.isEmpty() ? 0 : 1));
      if (!current.isEmpty() && size + cost > limit) {
        groups.add(current);
        current = new ArrayList<>();
        size = fixed;
        cost = copies * bytes(pin.toString());
      }
      if (size + cost > limit) {
        throw new JobException("the job for " + row.key() + " does not fit Batch's parameter limit even with one tag ("
            + (size + cost) + " bytes): too many destinations");
      }
      current.add(pin);
      size += cost;
    }
    if (!current.isEmpty()) {
      groups.add(current);
    }
    List<MirrorJob> jobs = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      jobs.add(new MirrorJob(row, Optional.empty(), destinations, groups.get(i), i + 1, groups.size()));
    }
    return jobs;
  }

  /** The source digest of a single-image row's job. */
  public Digest sourceDigest() {
    return digest.orElseThrow(() -> new IllegalStateException("a repository job has one digest per tag"));
  }

  /** The {@code source} parameter: the row's source as written, without a {@code #LABEL}. */
  public String sourceParameter() {
    return row.sourceParameter();
  }

  /** The {@code dest} parameter: the drifted destinations as written, comma-joined. */
  public String destParameter() {
    return destinations.stream().map(Destination::written).collect(Collectors.joining(","));
  }

  /** The {@code pin} parameter: {@code Pin.join} of the pins; empty for a source named by digest. */
  public String pinParameter() {
    return Pin.join(pins);
  }

  /**
   * The {@code settings} parameter: the row's {@code RepositorySettings} as compact JSON, which the
   * worker lays over its deployment defaults; empty when the row has none.
   */
  public String settingsParameter() {
    var settings = row.repositorySettings();
    return settings.isEmpty() ? "" : settings.toJson();
  }

  /**
   * The job's parameters, as an ad hoc {@code aws batch submit-job} passes them, plus {@code pin},
   * {@code existing} for a row with another {@code ExistingTags} than overwrite,
   * {@code referrers=false} for a row with {@code Referrers=false} (the job definition's defaults are
   * overwrite and true), and {@code settings} for a row with repository settings.
   */
  public Map<String, String> parameters() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("source", sourceParameter());
    p.put("dest", destParameter());
    if (!pins.isEmpty()) {
      p.put("pin", pinParameter());
    }
    // Only a row that asks for another policy sends it: the job definition's default is overwrite.
    if (row.existingTags() != ExistingTags.OVERWRITE) {
      p.put(EXISTING_PARAMETER, row.existingTags().word());
    }
    if (!row.referrers()) {
      p.put("referrers", "false");
    }
    String settings = settingsParameter();
    if (!settings.isEmpty()) {
      p.put("settings", settings);
    }
    return p;
  }

  /**
   * The worker command for a row with {@code Platforms} (the job definition's command cannot carry
   * them): {@code --platform P ... [--pin PINS] [--existing-tags POLICY] [--no-referrers]
   * [--repository-settings JSON] SOURCE DESTS}.
   */
  public List<String> platformCommand() {
    List<String> command = new ArrayList<>();
    for (Platform p : row.platforms()) {
      command.add("--platform");
      command.add(p.toString());
    }
    if (!pins.isEmpty()) {
      command.add("--pin");
      command.add(pinParameter());
    }
    if (row.existingTags() != ExistingTags.OVERWRITE) {
      command.add("--existing-tags");
      command.add(row.existingTags().word());
    }
    if (!row.referrers()) {
      command.add("--no-referrers");
    }
    String settings = settingsParameter();
    if (!settings.isEmpty()) {
      command.add("--repository-settings");
      command.add(settings);
    }
    command.add(sourceParameter());
    command.add(destParameter());
    return command;
  }

  /** Bytes of the parameters' keys and values, plus the overridden command of a Platforms row. */
  public int parameterSize() {
    int size = 0;
    for (Map.Entry<String, String> e : parameters().entrySet()) {
      size += bytes(e.getKey()) + bytes(e.getValue());
    }
    if (!row.platforms().isEmpty()) {
      for (String arg : platformCommand()) {
        size += bytes(arg);
      }
    }
    return size;
  }

  private static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  /** The same job, run under this claim. */
  public MirrorJob claimedBy(String token) {
    return new MirrorJob(row, digest, destinations, pins, part, parts, token);
  }

  /** How the names of the jobs started under a claim begin: {@code mirror-} and the token's first eight characters. */
  public static String namePrefix(String token) {
    String hex = token.replaceAll("[^a-zA-Z0-9]", "").toLowerCase(Locale.ROOT);
    return "mirror-" + hex.substring(0, Math.min(8, hex.length())) + "-";
  }

  /**
   * A Batch job name (letters, digits, '-' and '_', at most 128) that says what it copies: the
   * image, or for a repository row the repository, its label and, when split, which part; after
   * the claim's {@link #namePrefix(String)} when it runs under one.
   */
  public String jobName() {
    String image;
    String suffix = "";
    if (row.isRepository()) {
      int hash = row.key().indexOf('#');
      String label = hash < 0 ? "" : "-" + row.key().substring(hash + 1);
      image = row.source().repository() + label;
      suffix = "-tags" + (parts > 1 ? "-" + part + "of" + parts : "");
    } else {
      image = row.source().repository() + "-" + row.source().effectiveTag().orElse(sourceDigest().shortHex());
    }
    String prefix = claim.isEmpty() ? "mirror-" : namePrefix(claim);
    String cleaned = (prefix + image.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "-"));
    // The part suffix is kept whole: it is what tells a row's jobs apart.
    int room = 128 - suffix.length();
    return (cleaned.length() > room ? cleaned.substring(0, room) : cleaned) + suffix;
  }
}
