package dev.ecrmirror.worker;

/**
 * When and how a large blob is read as several byte ranges at once: one HTTP stream carries only
 * what one connection does (10–50 MB/s across regions or from a CDN), however fast the rest is.
 *
 * @param threshold blobs of at least this many bytes are read in ranges (where the source honours Range)
 * @param parallel ranges in flight at once for one run, each on a connection of its own; 1 turns ranged reads off
 * @param rangeSize the bytes of one range: the most one range holds in memory while earlier ones are still streaming
 */
public record RangedReads(long threshold, int parallel, long rangeSize) {
  private static final long MIB = 1024 * 1024;
  /** 64 MiB blobs and up, in 8 ranges of 8 MiB in flight: at most 64 MiB held, whatever the blob's size. */
  public static final RangedReads DEFAULT = new RangedReads(64 * MIB, 8, 8 * MIB);

  public RangedReads {
    if (threshold < 1) {
      throw new IllegalArgumentException("the ranged-read threshold must be at least 1 byte, not " + threshold);
    }
    if (parallel < 1) {
      throw new IllegalArgumentException("ranges in flight must be at least 1, not " + parallel);
    }
    if (rangeSize < 64 * 1024) {
      throw new IllegalArgumentException("a range must be at least 64 KiB, not " + rangeSize + " bytes");
    }
  }

  /** The same with blobs from {@code mib} MiB up read in ranges. */
  public RangedReads withThresholdMib(long mib) {
    return new RangedReads(mib * MIB, parallel, rangeSize);
  }

  /** The same with {@code n} ranges in flight. */
  public RangedReads withParallel(int n) {
    return new RangedReads(threshold, n, rangeSize);
  }

  /** The same with ranges of {@code mib} MiB. */
  public RangedReads withRangeSizeMib(long mib) {
    return new RangedReads(threshold, parallel, mib * MIB);
  }

  /**
   * The same, with no more ranges in flight than a quarter of {@code maxHeap} holds (ranged reads off
   * when that is fewer than 2): a worker given a small heap reads one stream rather than run out of memory.
   */
  public RangedReads fitTo(long maxHeap) {
    long fit = Math.max(1, maxHeap / 4 / rangeSize);
    return fit >= parallel ? this : new RangedReads(threshold, (int) Math.max(1, fit), rangeSize);
  }

  /** Whether a blob of {@code size} bytes is read in ranges. */
  boolean applies(long size) {
    return parallel > 1 && size >= threshold && size > rangeSize;
  }
}
