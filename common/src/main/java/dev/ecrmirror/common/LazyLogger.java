package dev.ecrmirror.common;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A logger created on first use. Starting the logging back end costs a short run (a worker that
 * finds everything in sync) a tenth of its time; a run that logs nothing should not pay it.
 */
public final class LazyLogger {
  private final String name;
  private volatile Logger logger;

  private LazyLogger(String name) {
    this.name = name;
  }

  public static LazyLogger of(Class<?> owner) {
    return new LazyLogger(owner.getName());
  }

  public static LazyLogger named(String name) {
    return new LazyLogger(name);
  }

  public Logger get() {
    Logger l = logger;
    if (l == null) {
      // One thread at a time: a logger asked for while another thread is starting the back end is a
      // stand-in whose calls slf4j replays later, with a three-line "SLF4J(W)" notice on stderr.
      synchronized (LazyLogger.class) {
        l = LoggerFactory.getLogger(name);
      }
      logger = l;
    }
    return l;
  }
}
