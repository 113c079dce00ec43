package dev.ecrmirror.controller.table;

import java.util.Arrays;
import java.util.Optional;

/** The status the controller writes on a row, as the {@code MirrorStatus} attribute shows it. */
public enum RowStatus {
  /** Every destination holds the source digest. */
  IN_SYNC("in sync"),
  /** Some destination is missing or differs; a job is wanted (or a dry run saw it). */
  DRIFT("drift"),
  /** A job was claimed and submitted for the drift; {@code JobId} names it. */
  SUBMITTED("submitted"),
  /** The last job finished and every destination was written. */
  MIRRORED("mirrored"),
  /** The check or the job failed; {@code LastError} says why. */
  FAILED("failed"),
  /** The row cannot be understood; {@code LastError} says why. */
  INVALID("invalid");

  private final String label;

  RowStatus(String label) {
    this.label = label;
  }

  /** The value stored in the table. */
  public String label() {
    return label;
  }

  /** The status a stored label names, if any. */
  public static Optional<RowStatus> ofLabel(String label) {
    return Arrays.stream(values()).filter(s -> s.label.equals(label)).findFirst();
  }

  @Override
  public String toString() {
    return label;
  }
}
