package dev.ecrmirror.common.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Comma-separated arguments: elements trimmed, and an empty one refused with a line naming the argument. */
class ArgumentListsTest {
  @Test
  void splitsAndTrims() {
    assertThat(ArgumentLists.split("DEST", "a, b,c")).containsExactly("a", "b", "c");
    assertThat(ArgumentLists.splitAll("DEST", List.of("a,b", "c"))).containsExactly("a", "b", "c");
  }

  @Test
  void refusesEmptyElementsNamingTheArgument() {
    for (String bad : List.of("a,,b", ",a", "a,", "a, ,b", "")) {
      assertThatThrownBy(() -> ArgumentLists.split("DEST", bad))
          .isInstanceOf(UsageException.class)
          .hasMessage("DEST '" + bad + "' has an empty element: remove the doubled, leading or trailing comma");
    }
  }
}
