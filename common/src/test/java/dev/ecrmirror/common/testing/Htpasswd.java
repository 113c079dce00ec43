package dev.ecrmirror.common.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Writes an htpasswd file for docker-registry, which reads bcrypt entries only. No bcrypt library is
 * on the class path and the {@code htpasswd} tool may be missing, so the hash comes from the
 * machine's Python 3.11 (which the moto tests need anyway): its {@code crypt} module, on libxcrypt.
 */
public final class Htpasswd {
  private static final String HASH = "import crypt, sys\n"
      + "print(crypt.crypt(sys.stdin.read(), crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))\n";

  private Htpasswd() {}

  /** A file in {@code dir} with one entry: {@code user} with {@code password}. */
  public static Path write(Path dir, String user, String password) throws IOException, InterruptedException {
    Process python = new ProcessBuilder("python3", "-W", "ignore", "-c", HASH).redirectErrorStream(true).start();
    try (OutputStream in = python.getOutputStream()) {
      in.write(password.getBytes(StandardCharsets.UTF_8));
    }
    String hash = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!python.waitFor(30, TimeUnit.SECONDS) || python.exitValue() != 0 || !hash.startsWith("$2")) {
      python.destroyForcibly();
      throw new IOException("python3 could not make a bcrypt hash: " + hash);
    }
    Files.createDirectories(dir);
    return Files.writeString(dir.resolve("htpasswd"), user + ":" + hash + "\n");
  }
}
