package dev.ecrmirror.controller.settings;

import dev.ecrmirror.common.auth.EcrCredentials;
import dev.ecrmirror.common.aws.AwsErrors;
import dev.ecrmirror.common.aws.EcrClientSource;
import dev.ecrmirror.common.aws.EcrRepositories;
import dev.ecrmirror.common.aws.RepositorySettings;
import dev.ecrmirror.controller.table.Destination;
import dev.ecrmirror.controller.table.MirrorRow;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.regions.Region;

/**
 * Where the existing ECR repositories of rows' destinations differ from the settings the worker
 * would create them with (the row's {@code RepositorySettings} laid over the deployment's), for
 * {@code table list --check-settings}. Nothing is changed. Each repository is asked once per run
 * however many rows share it; a registry ECR does not answer is one entry of {@link #unreachable},
 * not an error on each of its rows.
 */
public final class SettingsCheck {
  /** What {@link EcrRepositories#differences} says of a missing repository a run would create: not a difference. */

  private final EcrClientSource clients;
  private final RepositorySettings defaults;
  private final Map<String, OnceEcrClient> registries = new ConcurrentHashMap<>();
  private final Map<RepositorySettings, EcrRepositories> bySettings = new ConcurrentHashMap<>();
  private final Map<String, String> unreachable = new LinkedHashMap<>();

  /**
   * @param clients the ECR client of each registry (with its assumed role, if any)
   * @param defaults the deployment's settings ({@code $ECR_MIRROR_REPOSITORY_SETTINGS}), under each row's
   */
  public SettingsCheck(EcrClientSource clients, RepositorySettings defaults) {
    this.clients = clients;
    this.defaults = defaults;
  }

  /**
   * The row's ECR destinations whose repository differs from its settings, each with one line per
   * difference, in the row's order; empty when every one matches, when the row has no settings at
   * all (nothing to compare, no call made), or for destinations outside ECR.
   */
  public Map<String, List<String>> differences(MirrorRow row) {
    RepositorySettings settings = row.repositorySettings().over(defaults);
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (settings.isEmpty()) {
      return out;
    }
    EcrRepositories repositories = bySettings.computeIfAbsent(settings, s -> new EcrRepositories(this::client, s));
    for (Destination d : row.destinations()) {
      String registry = d.target().registry();
      if (!EcrCredentials.isEcr(registry)) {
        continue;
      }
      List<String> lines = repositories.differences(d.target()).stream()
          .filter(l -> !l.startsWith(EcrRepositories.WOULD_BE_CREATED)).toList();
      OnceEcrClient client = registries.get(key(registry));
      if (client != null && client.unreachable().isPresent()) {
        synchronized (unreachable) {
          unreachable.putIfAbsent(registry, AwsErrors.message(client.unreachable().get(), "call the ECR API"));
        }
        continue;
      }
      if (!lines.isEmpty()) {
        out.put(d.key(), lines);
      }
    }
    return out;
  }

  /** The registries whose repositories could not be asked, each with why, in the order met. */
  public Map<String, String> unreachable() {
    synchronized (unreachable) {
      return new LinkedHashMap<>(unreachable);
    }
  }

  private OnceEcrClient client(String account, Region region) {
    return registries.computeIfAbsent(account + "/" + region.id(), k -> new OnceEcrClient(clients.client(account, region)));
  }

  /** The {@link #registries} key of an ECR registry host ({@code ACCOUNT.dkr.ecr.REGION.amazonaws.com}). */
  private static String key(String registry) {
    return EcrCredentials.registryOf(registry).map(r -> r.account() + "/" + r.region().id()).orElse(registry);
  }
}
