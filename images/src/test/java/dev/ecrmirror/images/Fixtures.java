package dev.ecrmirror.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import picocli.CommandLine;

/** Small test helpers: runnable jars to package, the CLI run in-process, and raw registry reads. */
final class Fixtures {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private Fixtures() {}

  /** What one CLI run printed and returned. */
  record Run(int exit, String out, String err) {}

  /** Runs the command in-process with an empty environment and {@code workDir} as the working directory. */
  static Run run(Path workDir, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = ImagesCli.commandLine(Map.of(), workDir);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  /** A small runnable jar (a manifest with Main-Class and one entry whose bytes depend on {@code content}). */
  static Path runnableJar(Path dir, String fileName, String content) {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "dev.example.Main");
    return jar(dir, fileName, manifest, content);
  }

  /** A jar without Main-Class, like the thin jar Maven builds next to the shaded one. */
  static Path thinJar(Path dir, String fileName) {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    return jar(dir, fileName, manifest, "thin");
  }

  /**
   * A copy in {@code dir} of the real jar at the path the build passes in {@code property} (a copy,
   * so a rebuild of that module meanwhile cannot change the input between two builds), else a
   * small stand-in when that module has not been packaged.
   */
  static Path jarOrStandIn(String property, Path dir, String fileName) {
    String configured = System.getProperty(property);
    if (configured != null && Files.isRegularFile(Path.of(configured))) {
      try {
        Files.createDirectories(dir);
        return Files.copy(Path.of(configured), dir.resolve(fileName));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return runnableJar(dir, fileName, "stand-in for " + fileName);
  }

  private static Path jar(Path dir, String fileName, Manifest manifest, String content) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
      jar.putNextEntry(new JarEntry("content.txt"));
      jar.write(content.getBytes(StandardCharsets.UTF_8));
      jar.closeEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      Files.createDirectories(dir);
      return Files.write(dir.resolve(fileName), bytes.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A blob's bytes from the registry. */
  static byte[] blob(URI base, String repo, String digest) {
    HttpResponse<byte[]> r = get(base.resolve("/v2/" + repo + "/blobs/" + digest), "*/*");
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET blob " + repo + "@" + digest + " -> " + r.statusCode());
    }
    return r.body();
  }

  /** A JSON blob (a config) from the registry. */
  static JsonNode jsonBlob(URI base, String repo, String digest) {
    return parse(blob(base, repo, digest));
  }

  static JsonNode parse(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static HttpResponse<byte[]> get(URI uri, String accept) {
    try {
      return HTTP.send(HttpRequest.newBuilder(uri).header("Accept", accept).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
