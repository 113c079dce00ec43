package dev.ecrmirror.worker;

import dev.ecrmirror.common.auth.EcrCredentials;
import dev.ecrmirror.common.aws.EcrClientSource;
import dev.ecrmirror.common.aws.EcrRepositories;
import dev.ecrmirror.common.aws.RepositorySettings;
import dev.ecrmirror.common.ref.ImageReference;
import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a dry run says about ECR destination repositories: one line for each setting an existing
 * repository does not have (it is never changed), or what would happen to a missing one. Asks
 * {@code DescribeRepositories} once per repository (and, for settings that name them, its lifecycle
 * policy and tags); other registries are skipped.
 */
final class RepositoryDifferences {
  private RepositoryDifferences() {}

  /** Prints {@code settings    REPOSITORY: DIFFERENCE} lines, one repository at a time. */
  static void print(List<ImageReference> destinations, EcrClientSource ecr, RepositorySettings settings, PrintWriter out) {
    Set<String> repositories = new LinkedHashSet<>();
    EcrRepositories lookup = null;
    for (ImageReference d : destinations) {
      if (!EcrCredentials.isEcr(d.registry()) || !repositories.add(d.name())) {
        continue;
      }
      if (lookup == null) {
        lookup = new EcrRepositories(ecr, settings);
      }
      for (String line : lookup.differences(d)) {
        out.println(String.format("%-11s %s: %s", "settings", d.name(), line));
      }
    }
    out.flush();
  }
}
