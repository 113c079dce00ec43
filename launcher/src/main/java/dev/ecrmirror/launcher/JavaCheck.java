package dev.ecrmirror.launcher;

import java.io.File;
import java.io.IOException;

/**
 * The Java version check every ecr-mirror jar runs first: compiled for Java 8 so any JVM from 8 on
 * can run it, it lets a Java 21 or later through and otherwise prints one line and exits 2,
 * instead of the {@code UnsupportedClassVersionError} stack trace the product's classes would give.
 * Each jar's {@code Main-Class} is a tiny entry class, also compiled for Java 8, that calls
 * {@link #require()} and then the real main (which the JVM loads only when that call runs).
 */
public final class JavaCheck {
  /** The Java feature release the product is compiled for. */
  static final int REQUIRED = 21;
  /** Exit code for a run that cannot start as asked (bad usage; here, the wrong java). */
  static final int USAGE = 2;

  private JavaCheck() {}

  /** Returns on Java 21 or later; otherwise prints the one line and exits 2. */
  public static void require() {
    int version = feature(System.getProperty("java.specification.version"));
    if (version < REQUIRED) {
      System.err.println(tooOld(version, System.getProperty("java.home"), System.getenv("PATH")));
      System.exit(USAGE);
    }
  }

  /** 8 for "1.8", 17 for "17": the feature release in {@code java.specification.version}. */
  static int feature(String specification) {
    String s = specification == null ? "" : specification.trim();
    if (s.startsWith("1.")) {
      s = s.substring(2);
    }
    int end = 0;
    while (end < s.length() && Character.isDigit(s.charAt(end))) {
      end++;
    }
    // Unreadable: assume new enough and let the JVM speak for itself if it is not.
    return end == 0 ? REQUIRED : Integer.parseInt(s.substring(0, end));
  }

  /**
   * The one line for a Java older than 21: which Java runs the jar, and the way to a newer one —
   * PATH when that Java is the first {@code java} on it, its location otherwise.
   */
  static String tooOld(int version, String javaHome, String path) {
    String head = "ecr-mirror needs Java " + REQUIRED + " or later; this is Java " + version;
    if (javaHome != null && isFirstOnPath(new File(javaHome), path)) {
      return head + ", the first java on PATH; put a newer one first on PATH";
    }
    return head + " at " + javaHome + "; run the jar with a newer java";
  }

  /** True when the first {@code java} found on PATH is the one in {@code javaHome} (links resolved). */
  static boolean isFirstOnPath(File javaHome, String path) {
    if (path == null) {
      return false;
    }
    String exe = File.separatorChar == '\\' ? "java.exe" : "java";
    for (String dir : path.split(File.pathSeparator)) {
      File candidate = new File(dir.isEmpty() ? "." : dir, exe);
      if (candidate.isFile()) {
        try {
          return candidate.getCanonicalFile().equals(new File(new File(javaHome, "bin"), exe).getCanonicalFile());
        } catch (IOException e) {
          return false;
        }
      }
    }
    return false;
  }
}
