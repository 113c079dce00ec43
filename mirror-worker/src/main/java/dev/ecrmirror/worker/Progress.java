package dev.ecrmirror.worker;

import dev.ecrmirror.common.ref.ImageReference;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes planned and sent per destination while a run goes on, for live progress and periodic log
 * lines. Updated by the copy threads; read by whoever reports.
 */
public final class Progress {
  private final Map<ImageReference, AtomicLong> planned = new ConcurrentHashMap<>();
  private final Map<ImageReference, AtomicLong> sent = new ConcurrentHashMap<>();
  private final long startedNanos = System.nanoTime();

  /** One destination's figures at a moment. */
  public record Line(ImageReference destination, long sent, long planned) {}

  void plan(ImageReference destination, long bytes) {
    planned.computeIfAbsent(destination, d -> new AtomicLong()).addAndGet(bytes);
    sent.computeIfAbsent(destination, d -> new AtomicLong());
  }

  void advance(ImageReference destination, long bytes) {
    sent.computeIfAbsent(destination, d -> new AtomicLong()).addAndGet(bytes);
  }

  /** The figures per destination, in the order they were planned. */
  public Map<ImageReference, Line> lines() {
    Map<ImageReference, Line> out = new LinkedHashMap<>();
    planned.forEach((d, p) -> out.put(d, new Line(d, sent.get(d).get(), p.get())));
    return out;
  }

  /** Bytes sent to all destinations together. */
  public long totalSent() {
    return sent.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** Bytes to send to all destinations together, as far as known. */
  public long totalPlanned() {
    return planned.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** Seconds since the run started. */
  public double elapsedSeconds() {
    return (System.nanoTime() - startedNanos) / 1e9;
  }
}
