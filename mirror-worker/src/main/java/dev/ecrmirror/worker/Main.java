package dev.ecrmirror.worker;

/**
 * This jar's entry point, compiled for Java 8 (a separate compiler execution): it checks the Java
 * version before MirrorWorkerCli, compiled for Java 21, is loaded, which happens only when the call below runs.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    dev.ecrmirror.launcher.JavaCheck.require();
    MirrorWorkerCli.main(args);
  }
}
