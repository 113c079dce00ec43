package dev.ecrmirror.worker;

import java.net.URI;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * How a worker run reports its end ({@code --metrics}, {@code --event-bus}) as a picocli mixin built
 * with the programmatic API, like the others; the same words as {@code controller sync}'s. Both off
 * unless asked; the deployed worker job asks through its environment.
 */
final class RunNoticeOptions {
  static final String ENV_METRICS = "ECR_MIRROR_METRICS";
  static final String ENV_EVENT_BUS = "ECR_MIRROR_EVENT_BUS";

  private final OptionSpec metrics = OptionSpec.builder("--metrics")
      .paramLabel("emf|none").type(String.class).defaultValue("${env:" + ENV_METRICS + "}")
      .description("emf: print the run's metrics as one CloudWatch Embedded Metric Format line (namespace EcrMirror, "
          + "dimension Job=worker) at its end: on stdout, or on stderr with --json. Default: $" + ENV_METRICS
          + ", else none.")
      .build();

  private final OptionSpec eventBus = OptionSpec.builder("--event-bus")
      .paramLabel("BUS").type(String.class).defaultValue("${env:" + ENV_EVENT_BUS + "}")
      .description("Put one EventBridge event (source ecr-mirror, Mirror Job Succeeded or Mirror Job Failed) on this "
          + "bus (default, a name or an ARN) at the run's end. Default: $" + ENV_EVENT_BUS + ", else none (off).")
      .build();

  /** Where EventBridge is: an emulator in tests, a VPC endpoint; the SDK's regional endpoint by default. */
  private final OptionSpec eventBridgeEndpoint = OptionSpec.builder("--eventbridge-endpoint-url")
      .paramLabel("URL").type(String.class).hidden(true)
      .build();

  private final CommandSpec mixin = CommandSpec.create().addOption(metrics).addOption(eventBus)
      .addOption(eventBridgeEndpoint);

  /** The options, to add to a command as a mixin; they hold the values parsed for it. */
  CommandSpec mixin() {
    return mixin;
  }

  /** True with {@code --metrics emf}; throws {@link IllegalArgumentException} for a word other than emf or none. */
  boolean emf() {
    String given = metrics.getValue();
    String word = given == null ? "" : given.strip();
    if (!word.isEmpty() && !word.equals("emf") && !word.equals("none")) {
      throw new IllegalArgumentException("--metrics (or $" + ENV_METRICS + ") must be emf or none, not '" + given + "'");
    }
    return word.equals("emf");
  }

  /** Where the run's event goes, when asked for; throws {@link IllegalArgumentException} for a bad endpoint. */
  Optional<WorkerEvent> event() {
    String bus = eventBus.getValue();
    if (bus == null || bus.isBlank() || bus.strip().equals("none")) {
      return Optional.empty();
    }
    String endpoint = eventBridgeEndpoint.getValue();
    Optional<URI> uri = Optional.empty();
    if (endpoint != null && !endpoint.isBlank()) {
      try {
        uri = Optional.of(URI.create(endpoint.strip()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--eventbridge-endpoint-url '" + endpoint + "' is not a URL", e);
      }
    }
    return Optional.of(new WorkerEvent(bus.strip(), uri));
  }
}
