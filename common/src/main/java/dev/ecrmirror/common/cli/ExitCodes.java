package dev.ecrmirror.common.cli;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The exit codes of every ecr-mirror command: one definition that the code returns, the help prints
 * and the docs quote, so the three cannot drift apart.
 */
public final class ExitCodes {
  /** The command did what was asked. */
  public static final int OK = 0;
  /** Something failed: a destination, a row, a registry or an AWS service; the output says which. */
  public static final int FAILED = 1;
  /** Bad usage: an unknown option, a missing or malformed argument. Nothing was done. */
  public static final int USAGE = 2;

  private ExitCodes() {}

  /**
   * What each exit code means for one command, as its {@code --help} prints it.
   *
   * @param ok when the command exits {@link #OK}
   * @param failed when it exits {@link #FAILED}
   * @param usage when it exits {@link #USAGE}
   * @param more the command's own further codes (above {@link #USAGE}) and their meanings
   */
  public record Meanings(String ok, String failed, String usage, Map<Integer, String> more) {
    /** A command with only the three shared codes. */
    public Meanings(String ok, String failed, String usage) {
      this(ok, failed, usage, Map.of());
    }

    public Meanings {
      more = Collections.unmodifiableMap(new TreeMap<>(more));
      more.keySet().stream().filter(code -> code <= USAGE).findFirst().ifPresent(code -> {
        throw new IllegalArgumentException("exit code " + code + " is one of the shared codes 0, 1 and 2");
      });
    }

    /** Code to meaning, in the order the help lists them. */
    public Map<Integer, String> byCode() {
      Map<Integer, String> codes = new LinkedHashMap<>();
      codes.put(OK, ok);
      codes.put(FAILED, failed);
      codes.put(USAGE, usage);
      codes.putAll(more);
      return codes;
    }
  }

  /** A command whose {@code --help} ends with its exit codes. */
  public interface Documented {
    /** What this command's exit codes mean. */
    Meanings exitCodes();
  }
}
