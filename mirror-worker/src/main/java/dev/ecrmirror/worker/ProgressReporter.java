package dev.ecrmirror.worker;

import dev.ecrmirror.common.LazyLogger;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Shows a run's progress: on a terminal, one live line redrawn in place; off a terminal (Batch,
 * CI), a log line at a steady interval. Never both. Stopped by {@link #close()}, which clears the
 * live line so the summary that follows starts clean.
 */
final class ProgressReporter implements AutoCloseable {
  private static final LazyLogger LOG = LazyLogger.named("progress");

  private final Progress progress;
  private final PrintWriter terminal;
  private final Consumer<String> log;
  private final Duration interval;
  private final Thread thread;
  private volatile boolean running = true;
  private long lastSent;
  private double lastTime;

  private ProgressReporter(Progress progress, PrintWriter terminal, Consumer<String> log, Duration interval) {
    this.progress = progress;
    this.terminal = terminal;
    this.log = log;
    this.interval = interval;
    this.thread = Thread.ofPlatform().daemon().name("progress").start(this::loop);
  }

  /** Live progress on {@code terminal}. */
  static ProgressReporter live(Progress progress, PrintWriter terminal) {
    return new ProgressReporter(progress, terminal, null, Duration.ofMillis(250));
  }

  /** A log line every {@code interval}. */
  static ProgressReporter logging(Progress progress, Duration interval) {
    return logging(progress, interval, line -> LOG.get().info(line));
  }

  /** A line to {@code log} every {@code interval}. */
  static ProgressReporter logging(Progress progress, Duration interval, Consumer<String> log) {
    return new ProgressReporter(progress, null, log, interval);
  }

  private void loop() {
    while (running) {
      try {
        Thread.sleep(interval);
      } catch (InterruptedException e) {
        return;
      }
      if (running && progress.totalPlanned() > 0) {
        report();
      }
    }
  }

  private void report() {
    long sent = progress.totalSent();
    double now = progress.elapsedSeconds();
    double rate = now > lastTime ? (sent - lastSent) / (now - lastTime) : 0;
    lastSent = sent;
    lastTime = now;
    String perDestination = progress.lines().values().stream()
        .map(l -> l.destination().registry() + " " + percent(l.sent(), l.planned()))
        .collect(Collectors.joining(", "));
    String line = String.format(Locale.ROOT, "%s of %s sent, %s/s; %s",
        MirrorWorkerCli.human(sent), MirrorWorkerCli.human(progress.totalPlanned()), MirrorWorkerCli.human((long) rate),
        perDestination);
    if (terminal != null) {
      terminal.print("\r\033[K" + line);
      terminal.flush();
    } else {
      log.accept(line);
    }
  }

  private static String percent(long sent, long planned) {
    return planned <= 0 ? "100%" : (sent * 100 / planned) + "%";
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (terminal != null) {
      terminal.print("\r\033[K");
      terminal.flush();
    }
  }
}
