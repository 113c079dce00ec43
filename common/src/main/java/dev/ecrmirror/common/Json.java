package dev.ecrmirror.common;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * JSON for the whole project. Reading goes through Jackson's streaming parser into Jackson's tree
 * nodes: the same tree {@code ObjectMapper.readTree} gives, without starting an
 * {@link ObjectMapper}, which loads some hundreds of classes (type introspection, a calendar for
 * dates) and cost a copy a quarter of a second before its first blob. The shared mapper, created on
 * first use, is for writing.
 */
public final class Json {
  private Json() {}

  private static final class Factory {
    static final JsonFactory FACTORY = new JsonFactory();
  }

  private static final class Holder {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  /** The shared mapper, for writing JSON. */
  public static ObjectMapper mapper() {
    return Holder.MAPPER;
  }

  /** Parses one JSON document; anything but exactly one value (empty input, trailing content) is an error. */
  public static JsonNode readTree(byte[] json) throws IOException {
    try (JsonParser parser = Factory.FACTORY.createParser(json)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw new JsonParseException(parser, "no JSON value");
      }
      JsonNode root = read(parser, first);
      if (parser.nextToken() != null) {
        throw new JsonParseException(parser, "content after the JSON value");
      }
      return root;
    }
  }

  /** Parses one JSON document from text. */
  public static JsonNode readTree(String json) throws IOException {
    return readTree(json.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonNode read(JsonParser parser, JsonToken token) throws IOException {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    return switch (token) {
      case START_OBJECT -> {
        ObjectNode object = nodes.objectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          object.set(name, read(parser, parser.nextToken()));
        }
        yield object;
      }
      case START_ARRAY -> {
        ArrayNode array = nodes.arrayNode();
        for (JsonToken next = parser.nextToken(); next != JsonToken.END_ARRAY; next = parser.nextToken()) {
          array.add(read(parser, next));
        }
        yield array;
      }
      case VALUE_STRING -> nodes.textNode(parser.getText());
      case VALUE_NUMBER_INT -> switch (parser.getNumberType()) {
        case INT -> nodes.numberNode(parser.getIntValue());
        case LONG -> nodes.numberNode(parser.getLongValue());
        default -> nodes.numberNode(parser.getBigIntegerValue());
      };
      case VALUE_NUMBER_FLOAT -> nodes.numberNode(parser.getDoubleValue());
      case VALUE_TRUE -> nodes.booleanNode(true);
      case VALUE_FALSE -> nodes.booleanNode(false);
      case VALUE_NULL -> nodes.nullNode();
      default -> throw new JsonParseException(parser, "unexpected " + token);
    };
  }
}
