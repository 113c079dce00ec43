package dev.ecrmirror.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar with a table in AWS configured and no AWS credentials anywhere (an empty environment,
 * empty config and credentials files, instance metadata off): one line saying how to configure
 * them or to use --local, exit 1, instead of the SDK's 1,500-character list of providers. The
 * DynamoDB endpoint is a closed loopback port; the SDK gives up before connecting.
 */
class CredentialsIT {
  @TempDir
  Path work;

  record Result(int exit, String out, String err) {}

  Result controller(String... args) throws Exception {
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(javaBin, "-jar", System.getProperty("controller.jar")));
    command.addAll(List.of(args));
    Path empty = Files.writeString(work.resolve("empty"), "");
    ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile());
    Map<String, String> env = builder.environment();
    env.clear();
    env.putAll(Map.of("HOME", work.toString(), "AWS_CONFIG_FILE", empty.toString(),
        "AWS_SHARED_CREDENTIALS_FILE", empty.toString(), "AWS_EC2_METADATA_DISABLED", "true"));
    Process p = builder.start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("controller.jar did not finish: " + command);
      }
      return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
          new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }

  static String closedEndpoint() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "http://127.0.0.1:" + s.getLocalPort();
    }
  }

  private static final String HOW = "no AWS credentials to use table mirror: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
      + "AWS_SECRET_ACCESS_KEY, or run 'aws configure'; or use --local to run without AWS";

  @Test
  void tableCommandWithoutCredentialsIsOneLine() throws Exception {
    Result list = controller("table", "list", "--table", "mirror", "--region", "eu-west-1",
        "--dynamodb-endpoint-url", closedEndpoint());
    assertThat(list.exit()).isEqualTo(1);
    assertThat(list.out()).isEmpty();
    assertThat(list.err()).isEqualTo("controller table list: " + HOW + System.lineSeparator());
  }

  @Test
  void syncWithoutCredentialsIsOneLine() throws Exception {
    Result sync = controller("sync", "--dry-run", "--table", "mirror", "--region", "eu-west-1",
        "--dynamodb-endpoint-url", closedEndpoint());
    assertThat(sync.exit()).isEqualTo(1);
    assertThat(sync.err()).isEqualTo("controller sync: " + HOW + System.lineSeparator());
  }
}
