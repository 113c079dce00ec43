package dev.ecrmirror.controller.cli;

import dev.ecrmirror.common.cli.CommandLineSupport;
import dev.ecrmirror.common.cli.ExitCodes;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.ref.InvalidReferenceException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code table put|list|delete|retry}: edits and shows the mirror table. */
@Command(name = "table", mixinStandardHelpOptions = true, description = "Edit and show the mirror table.",
    subcommands = {TablePut.class, TableList.class, TableRowCommand.Delete.class, TableRowCommand.Retry.class})
final class TableCommand implements Callable<Integer>, ExitCodes.Documented {
  @Spec
  CommandSpec spec;

  @Mixin
  CommandSpec debug = CommandLineSupport.debugMixin();

  @Override
  public Integer call() {
    return CommandLineSupport.usageError(spec.commandLine(), "no command given: choose one of "
        + String.join(", ", spec.subcommands().keySet()));
  }

  @Override
  public ExitCodes.Meanings exitCodes() {
    return ControllerCli.GROUP_EXIT_CODES;
  }

  /**
   * The keys a row given as {@code source} may be stored under: exactly as given, normalized
   * ({@code nginx:1} → {@code docker.io/library/nginx:1}), and for a bare repository without the
   * {@code :latest} a repository row's key does not carry; a {@code #LABEL} is kept.
   */
  static List<String> candidates(String source) {
    List<String> keys = new ArrayList<>(List.of(source));
    int hash = source.indexOf('#');
    String label = hash < 0 ? "" : source.substring(hash);
    try {
      ImageReference ref = ImageReference.parse(hash < 0 ? source : source.substring(0, hash));
      List<String> forms = ref.isBare() ? List.of(ref.name() + label, ref + label) : List.of(ref + label);
      forms.stream().filter(k -> !keys.contains(k)).forEach(keys::add);
    } catch (InvalidReferenceException e) {
      // Not a reference: only the exact key can match.
    }
    return keys;
  }

  static ImageReference parse(String what, String value) {
    try {
      return ImageReference.parse(value);
    } catch (InvalidReferenceException e) {
      throw new UsageException(what + ": " + e.getMessage());
    }
  }
}
