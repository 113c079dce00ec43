package dev.ecrmirror.common.ref;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One tag of a source pinned to the digest the controller checked: {@code TAG@sha256:HEX}. A job
 * carries its pins in the {@code pin} parameter, comma-separated, and the worker writes each tag at
 * a destination only with its pinned digest, so a tag that moves at the source between the check
 * and the copy is never recorded as mirrored.
 *
 * @param tag the source tag (and, for repository rows, the destination tag)
 * @param digest the manifest digest to copy for it
 */
public record Pin(String tag, Digest digest) {
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

  public Pin {
    if (tag == null || !TAG.matcher(tag).matches()) {
      throw new IllegalArgumentException("pin '" + tag + "@" + digest + "': '" + tag + "' is not a valid tag");
    }
    if (digest == null) {
      throw new IllegalArgumentException("pin for tag " + tag + " has no digest");
    }
  }

  /** Parses one {@code TAG@sha256:HEX}; throws {@link IllegalArgumentException} naming the input. */
  public static Pin parse(String value) {
    int at = value.indexOf('@');
    if (at <= 0) {
      throw new IllegalArgumentException("pin '" + value + "' is not TAG@sha256:HEX");
    }
    Digest digest;
    try {
      digest = Digest.parse(value.substring(at + 1));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("pin '" + value + "': " + e.getMessage(), e);
    }
    return new Pin(value.substring(0, at), digest);
  }

  /**
   * Parses a comma-separated list (the {@code pin} job parameter); blank input is no pins. An empty
   * element ({@code a@…,,b@…}) or the same tag twice is an error.
   */
  public static List<Pin> parseList(String value) {
    List<Pin> out = new ArrayList<>();
    if (value == null || value.isBlank()) {
      return out;
    }
    for (String part : value.split(",", -1)) {
      String trimmed = part.trim();
      if (trimmed.isEmpty()) {
        throw new IllegalArgumentException("pin list '" + value + "' has an empty element");
      }
      Pin pin = parse(trimmed);
      if (out.stream().anyMatch(p -> p.tag().equals(pin.tag()))) {
        throw new IllegalArgumentException("pin list names tag " + pin.tag() + " twice");
      }
      out.add(pin);
    }
    return out;
  }

  /** The {@code pin} parameter for these pins: comma-joined {@code TAG@DIGEST}. */
  public static String join(List<Pin> pins) {
    return pins.stream().map(Pin::toString).collect(Collectors.joining(","));
  }

  @Override
  public String toString() {
    return tag + "@" + digest;
  }
}
