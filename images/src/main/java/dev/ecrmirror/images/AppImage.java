package dev.ecrmirror.images;

import java.util.List;

/**
 * One of the two job images: its repository name, where its jar goes in the container, and the
 * entrypoint that runs it. The CDK job definitions pass only arguments (the container command),
 * so the entrypoint must be exactly {@code java -jar /app/<jar>}.
 *
 * @param name the repository name under the prefix, e.g. {@code mirror-worker}
 * @param jarFile the jar's file name under {@code /app}
 * @param builtJar the jar's file name in {@code target/}: for the controller, the slim jar, which
 *     leaves out local mode's DynamoDB Local (about 38 MB a Batch job never loads)
 * @param title the {@code org.opencontainers.image.title} label
 * @param description the {@code org.opencontainers.image.description} label
 */
record AppImage(String name, String jarFile, String builtJar, String title, String description) {

  static final AppImage CONTROLLER = new AppImage("controller", "controller.jar", "controller-slim.jar",
      "ecr-mirror controller",
      "Scans the ecr-mirror table, detects drifted images and submits one mirror job per drifted row.");

  static final AppImage WORKER = new AppImage("mirror-worker", "mirror-worker.jar", "mirror-worker.jar",
      "ecr-mirror mirror-worker", "Copies every platform of one image, byte for byte, to many destinations.");

  /** Both images, in the order they are built and printed. */
  static final List<AppImage> ALL = List.of(CONTROLLER, WORKER);

  /** Where the jar lives inside the image. */
  String containerJarPath() {
    return "/app/" + jarFile;
  }

  /** The image entrypoint; job arguments arrive as the container command and are appended. */
  List<String> entrypoint() {
    return List.of("java", "-jar", containerJarPath());
  }

  /** The jar as {@code mvn package} leaves it, relative to the project root. */
  String defaultJarLocation() {
    return name + "/target/" + builtJar;
  }
}
