package dev.ecrmirror.common.ref;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DigestTest {

  @Test
  void hashesContentAsSha256() {
    // sha256("") is a well-known constant.
    assertThat(Digest.sha256(new byte[0]).toString())
        .isEqualTo("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    Digest hello = Digest.sha256("hello".getBytes(StandardCharsets.UTF_8));
    assertThat(hello.matches("hello".getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(hello.matches("hellO".getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(Digest.parse(hello.toString())).isEqualTo(hello);
  }

  @Test
  void rejectsWrongLengthsCaseAndAlgorithms() {
    assertThatThrownBy(() -> Digest.parse("sha256:" + "A".repeat(64))).hasMessageContaining("lowercase hex");
    assertThatThrownBy(() -> Digest.parse("sha256:" + "a".repeat(63))).hasMessageContaining("64");
    assertThatThrownBy(() -> Digest.parse("md5:" + "a".repeat(32))).hasMessageContaining("unsupported digest algorithm 'md5'");
    assertThatThrownBy(() -> Digest.parse("nocolon")).hasMessageContaining("not a digest");
  }
}
