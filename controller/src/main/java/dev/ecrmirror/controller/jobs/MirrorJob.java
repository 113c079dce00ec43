package dev.ecrmirror.controller.jobs;

import dev.ecrmirror.common.manifest.Platform;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.controller.table.Destination;
import dev.ecrmirror.controller.table.MirrorRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One mirror job: copy a row's source (seen at {@code sourceDigest}) to its drifted destinations.
 *
 * @param row the row
 * @param sourceDigest the source digest the drift was seen at
 * @param destinations only the drifted destinations
 */
public record MirrorJob(MirrorRow row, Digest sourceDigest, List<Destination> destinations) {

  public MirrorJob {
    destinations = List.copyOf(destinations);
    if (destinations.isEmpty()) {
      throw new IllegalArgumentException("a job needs at least one destination");
    }
  }

  /** The {@code source} parameter: the row's source as written, without a {@code #LABEL}. */
  public String sourceParameter() {
    return row.sourceParameter();
  }

  /** The {@code dest} parameter: the drifted destinations as written, comma-joined. */
  public String destParameter() {
    return destinations.stream().map(Destination::written).collect(Collectors.joining(","));
  }

  /**
   * The worker command for a row with {@code Platforms} (the job definition's command,
   * {@code Ref::source Ref::dest}, cannot carry them): {@code --platform P ... SOURCE DESTS}.
   */
  public List<String> platformCommand() {
    List<String> command = new ArrayList<>();
    for (Platform p : row.platforms()) {
      command.add("--platform");
      command.add(p.toString());
    }
    command.add(sourceParameter());
    command.add(destParameter());
    return command;
  }

  /** A Batch job name (letters, digits, '-' and '_', at most 128) that says which image it copies. */
  public String jobName() {
    String image = row.source().repository() + "-" + row.source().effectiveTag().orElse(sourceDigest.shortHex());
    String cleaned = ("mirror-" + image).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "-");
    return cleaned.length() > 128 ? cleaned.substring(0, 128) : cleaned;
  }
}
