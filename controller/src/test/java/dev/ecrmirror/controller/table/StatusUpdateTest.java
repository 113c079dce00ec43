package dev.ecrmirror.controller.table;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StatusUpdateTest {
  @Test
  void userAttributesCannotBeWritten() {
    for (String user : new String[] {"Source", "Destination", "Platforms", "Enabled", "Owner"}) {
      assertThatThrownBy(() -> new StatusUpdate().set(user, "x")).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new StatusUpdate().remove(user)).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
