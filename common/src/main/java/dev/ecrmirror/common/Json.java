package dev.ecrmirror.common;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The one shared, thread-safe {@link ObjectMapper}, created on first use: Jackson loads some
 * hundreds of classes, which a worker run with nothing to copy never needs.
 */
public final class Json {
  private Json() {}

  private static final class Holder {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  /** The shared mapper. */
  public static ObjectMapper mapper() {
    return Holder.MAPPER;
  }
}
