package dev.ecrmirror.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The streaming tree reader gives the tree Jackson's own readTree gives, and refuses what is not one JSON value. */
class JsonTest {
  @Test
  void readsTheSameTreeAsObjectMapper() throws Exception {
    String index = """
        {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
         "manifests": [{"digest": "sha256:aa", "size": 9007199254740993, "platform": {"os": "linux", "architecture": "arm64"},
                        "annotations": {"a": "b"}, "weight": 0.5, "big": 123456789012345678901234567890,
                        "flag": true, "off": false, "none": null, "empty": [], "nested": [[1, -2], {}]}]}
        """;

    assertThat(Json.readTree(index)).isEqualTo(new ObjectMapper().readTree(index));
  }

  @Test
  void refusesAnythingButOneValue() {
    assertThatThrownBy(() -> Json.readTree("")).isInstanceOf(IOException.class).hasMessageContaining("no JSON value");
    assertThatThrownBy(() -> Json.readTree("{} {}")).isInstanceOf(IOException.class).hasMessageContaining("after the JSON value");
    assertThatThrownBy(() -> Json.readTree("{\"a\": ")).isInstanceOf(IOException.class);
  }
}
