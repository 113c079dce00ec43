package dev.ecrmirror.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How many ranges a run keeps in flight for the heap it has. */
class RangedReadsTest {
  private static final long MIB = 1024 * 1024;

  @Test
  void aLargeHeapKeepsTheRangesAsked() {
    assertThat(RangedReads.DEFAULT.fitTo(1024 * MIB)).isEqualTo(RangedReads.DEFAULT);
  }

  @Test
  void aSmallHeapGetsFewerRangesAndATinyOneReadsOneStream() {
    // A quarter of 128 MiB holds four 8 MiB ranges.
    assertThat(RangedReads.DEFAULT.fitTo(128 * MIB).parallel()).isEqualTo(4);
    RangedReads tiny = RangedReads.DEFAULT.fitTo(48 * MIB);
    assertThat(tiny.parallel()).isEqualTo(1);
    assertThat(tiny.applies(1024 * MIB)).as("one plain stream").isFalse();
  }
}
