package dev.ecrmirror.controller.cli;

import dev.ecrmirror.common.aws.AssumeRoles;
import dev.ecrmirror.common.aws.RepositorySettings;
import dev.ecrmirror.controller.aws.AwsClients;
import dev.ecrmirror.controller.settings.SettingsCheck;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code table list --check-settings} and what it needs (a picocli mixin): the deployment's
 * repository settings, the roles of other accounts' registries and the ECR endpoint, read as
 * {@code sync} reads them. Opt-in because it costs ECR API calls.
 */
final class SettingsCheckOptions {
  @Option(names = "--check-settings", description = "Also ask ECR where each row's existing destination repositories "
      + "differ from the row's repository settings (laid over --repository-settings): a note per row, SettingsDiffer "
      + "in --json. Costs ECR API calls (DescribeRepositories, and GetLifecyclePolicy or ListTagsForResource when the "
      + "settings name them), each repository once.")
  boolean checkSettings;

  @Option(names = "--repository-settings", paramLabel = "JSON",
      description = "With --check-settings: the deployment's settings, under each row's. Default: $"
          + RepositorySettings.ENV + ".")
  String repositorySettings;

  @Option(names = "--assume-role", paramLabel = "ACCOUNT=ROLE_ARN",
      description = "With --check-settings: ask ECR about the registries of ACCOUNT with this role (repeatable). "
          + "Default: $" + AssumeRoles.ENV + " (comma-separated).")
  List<String> assumeRoles = List.of();

  @Option(names = "--ecr-endpoint-url", paramLabel = "URL",
      description = "Override the ECR API endpoint (all regions), for --check-settings.")
  URI ecrEndpoint;

  /** Refuses the options that mean nothing without {@code --check-settings}, before the table is opened. */
  void validate(Map<String, String> env) {
    if (!checkSettings) {
      for (var given : List.of(Map.entry("--repository-settings", repositorySettings != null),
          Map.entry("--assume-role", !assumeRoles.isEmpty()))) {
        if (given.getValue()) {
          throw new UsageException(given.getKey() + " needs --check-settings");
        }
      }
      return;
    }
    defaults(env);
    roles(env);
  }

  /** The ECR endpoint override, as the services endpoints the table session is opened with. */
  AwsClients.Endpoints endpoints() {
    return new AwsClients.Endpoints(Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.ofNullable(ecrEndpoint));
  }

  /** The check, asking ECR through {@code clients} with the roles given; empty without {@code --check-settings}. */
  Optional<SettingsCheck> check(AwsClients clients, Map<String, String> env) {
    if (!checkSettings) {
      return Optional.empty();
    }
    clients.assume(roles(env), env);
    return Optional.of(new SettingsCheck(clients::ecrFor, defaults(env)));
  }

  /** {@code --repository-settings} over {@value RepositorySettings#ENV}, as sync lays them. */
  private RepositorySettings defaults(Map<String, String> env) {
    try {
      RepositorySettings deployment = RepositorySettings.parse("$" + RepositorySettings.ENV, env.get(RepositorySettings.ENV));
      return RepositorySettings.parse("--repository-settings", repositorySettings).over(deployment);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private AssumeRoles roles(Map<String, String> env) {
    try {
      return !assumeRoles.isEmpty() ? AssumeRoles.parse("--assume-role", assumeRoles)
          : AssumeRoles.parse("$" + AssumeRoles.ENV, List.of(env.getOrDefault(AssumeRoles.ENV, "")));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }
}
