package dev.ecrmirror.controller.ecrtags;

import dev.ecrmirror.controller.ecrtags.EcrRepositoryTags.Listing;
import dev.ecrmirror.controller.ecrtags.EcrRepositoryTags.TaggedRepository;
import dev.ecrmirror.controller.table.DerivedRow;
import dev.ecrmirror.controller.table.MirrorTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code sync --from-ecr-tags}: keeps the mirror table's derived rows equal to what the region's
 * ECR repository tags ask for. A row is written only when its definition changed (a steady state
 * costs no writes), and a derived row whose repository lost its tags, or is gone, is deleted.
 * Rows a user wrote (no {@code Origin}) are never touched.
 */
public final class EcrTagRows {
  private final EcrRepositoryTags repositories;
  private final MirrorTable table;
  private final EcrTagKeys keys;

  public EcrTagRows(EcrRepositoryTags repositories, MirrorTable table, EcrTagKeys keys) {
    this.repositories = repositories;
    this.table = table;
    this.keys = keys;
  }

  /**
   * What a run did (or, in a dry run, would do).
   *
   * @param notes one line for each repository with bad tags, unreadable tags, or a key held by a user's row
   */
  public record Result(int written, int deleted, int unchanged, List<String> notes, boolean dryRun) {
    /** {@code from ECR tags: 3 rows written, 1 deleted, 12 unchanged}. */
    public String summary() {
      return "from ECR tags" + (dryRun ? " (dry run, nothing written)" : "") + ": " + written + " row"
          + (written == 1 ? "" : "s") + (dryRun ? " to write, " : " written, ") + deleted
          + (dryRun ? " to delete, " : " deleted, ") + unchanged + " unchanged";
    }
  }

  /**
   * Lists the repositories, derives their rows and brings the table in line. Throws
   * {@link IllegalStateException} when the repositories cannot be listed (the table is left as it is).
   */
  public Result apply(boolean dryRun) {
    Listing listing = repositories.list();
    List<String> notes = new ArrayList<>(listing.unreadable().values());
    Map<String, DerivedRow> wanted = new LinkedHashMap<>();
    for (TaggedRepository repository : listing.repositories()) {
      RowDerivation.Derivation derivation = RowDerivation.derive(repository, keys);
      notes.addAll(derivation.problems());
      derivation.row().ifPresent(row -> wanted.put(row.key(), row));
    }
    Map<String, DerivedRow> stored = new LinkedHashMap<>();
    for (DerivedRow row : table.derivedRows()) {
      if (inRegion(row.origin())) {
        stored.put(row.key(), row);
      }
    }
    int written = 0;
    int unchanged = 0;
    int deleted = 0;
    for (DerivedRow row : wanted.values()) {
      if (row.equals(stored.get(row.key()))) {
        unchanged++;
      } else if (dryRun || table.putDerived(row)) {
        written++;
      } else {
        notes.add("row " + row.key() + " is a row a user wrote (it has no Origin): left as it is, not derived from "
            + row.origin());
      }
    }
    for (DerivedRow row : stored.values()) {
      if (!wanted.containsKey(row.key()) && !listing.unreadable().containsKey(row.origin())
          && (dryRun || table.deleteDerived(row.key(), row.origin()))) {
        deleted++;
      }
    }
    return new Result(written, deleted, unchanged, notes, dryRun);
  }

  /**
   * True when an origin ARN ({@code arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME}) is an ECR
   * repository of the region listed: rows derived from other regions are another run's business.
   */
  private boolean inRegion(String origin) {
    String[] parts = origin.split(":", 6);
    return parts.length == 6 && parts[0].equals("arn") && parts[2].equals("ecr")
        && parts[3].equals(repositories.region().id());
  }
}
