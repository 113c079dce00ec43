package dev.ecrmirror.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** A failure always has a line of text, whatever the exception carried. */
class FailuresTest {

  @Test
  void aMessageIsKeptAsItIs() {
    assertThat(Failures.describe(new IOException("connection reset"))).isEqualTo("connection reset");
  }

  @Test
  void anExceptionWithoutAMessageIsNamedByItsType() {
    assertThat(Failures.describe(new NullPointerException())).isEqualTo("NullPointerException");
    assertThat(Failures.describe(new IllegalStateException(" "))).isEqualTo("IllegalStateException");
  }

  @Test
  void aCauseWithAMessageIsNamedAfterTheType() {
    assertThat(Failures.describe(new RuntimeException(new IOException("broken pipe"))))
        .as("RuntimeException(cause) copies the cause's toString as its message").contains("broken pipe");
    assertThat(Failures.describe(new IllegalStateException((String) null, new IOException("broken pipe"))))
        .isEqualTo("IllegalStateException: broken pipe");
  }
}
