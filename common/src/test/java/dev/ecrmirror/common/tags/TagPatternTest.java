package dev.ecrmirror.common.tags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Literal, glob and regex entries of Tags and ExcludeTags, and what is wrong with bad ones. */
class TagPatternTest {
  /** Tags from nginx, node and python, plus the '/' that only patterns (never tags) can hold. */
  private static final List<String> TAGS = List.of(
      "1.27.3", "1.27", "1.27.3-alpine", "1.27-alpine", "1.26.2", "1.26.2-alpine", "1.25.5", "1.7",
      "mainline", "stable-alpine", "latest", "22.12.0-bookworm-slim", "3.13.1-slim-bookworm", "a/b", "a/b/c");

  private static List<String> matching(String pattern) {
    TagPattern p = TagPattern.parse(pattern);
    return TAGS.stream().filter(p::matches).toList();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      // tf-ecr-sync's glob syntax: * within a path segment, ** across, ?, {a,b}
      "*                 | 1.27.3 1.27 1.27.3-alpine 1.27-alpine 1.26.2 1.26.2-alpine 1.25.5 1.7 mainline "
          + "stable-alpine latest 22.12.0-bookworm-slim 3.13.1-slim-bookworm",
      "**                | 1.27.3 1.27 1.27.3-alpine 1.27-alpine 1.26.2 1.26.2-alpine 1.25.5 1.7 mainline "
          + "stable-alpine latest 22.12.0-bookworm-slim 3.13.1-slim-bookworm a/b a/b/c",
      "a/*               | a/b",
      "a/**              | a/b a/b/c",
      "1.2?              | 1.27",
      "1.2?.?            | 1.27.3 1.26.2 1.25.5",
      "1.{26,27}.*       | 1.27.3 1.27.3-alpine 1.26.2 1.26.2-alpine",
      "1.27{,-alpine}    | 1.27 1.27-alpine",
      "*-alpine          | 1.27.3-alpine 1.27-alpine 1.26.2-alpine stable-alpine",
      "*-{slim-,}bookworm{-slim,} | 22.12.0-bookworm-slim 3.13.1-slim-bookworm",
      // a character class, as the ecr-mirror family writes 1.1[4567]*
      "1.2[67]*          | 1.27.3 1.27 1.27.3-alpine 1.27-alpine 1.26.2 1.26.2-alpine",
      "1.2[!7].?         | 1.26.2 1.25.5",
      "1.2[5-6].?        | 1.26.2 1.25.5",
      // a literal is exactly that tag; a dot is not a regex dot
      "1.27              | 1.27",
      "1.7               | 1.7",
      // regex: the whole tag must match
      "regex:1\\.2[0-9]\\.\\d+        | 1.27.3 1.26.2 1.25.5",
      "regex:\\d+\\.\\d+(-alpine)?    | 1.27 1.27-alpine 1.7",
      "regex:alpine      | \"\"",
      "regex:.*alpine    | 1.27.3-alpine 1.27-alpine 1.26.2-alpine stable-alpine",
  })
  void matchesWholeTags(String pattern, String expected) {
    List<String> want = expected.isBlank() ? List.of() : Arrays.asList(expected.split(" "));
    assertThat(matching(pattern)).containsExactlyElementsOf(want);
  }

  @Test
  void tellsLiteralsFromPatterns() {
    assertThat(TagPattern.parse("latest").kind()).isEqualTo(TagPattern.Kind.LITERAL);
    assertThat(TagPattern.parse("6.27.0-rc.6").isLiteral()).isTrue();
    assertThat(TagPattern.parse("1.*").kind()).isEqualTo(TagPattern.Kind.GLOB);
    assertThat(TagPattern.parse("{a,b}").kind()).isEqualTo(TagPattern.Kind.GLOB);
    assertThat(TagPattern.parse("regex:latest").kind()).isEqualTo(TagPattern.Kind.REGEX);
    assertThat(TagPattern.parse("regex:latest").isLiteral()).isFalse();
  }

  @ParameterizedTest(name = "[{0}]")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "\"\"             | empty pattern",
      "regex:           | empty regex",
      "regex:(          | bad regex: Unclosed group near index 1",
      "regex:1.{2       | bad regex: Unclosed counted closure near index 4",
      "nginx:1.25       | not a tag: a tag is 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-' (a pattern needs *, ?, {a,b} or [abc], or regex:)",
      "-rc              | not a tag: a tag is 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-' (a pattern needs *, ?, {a,b} or [abc], or regex:)",
      "1.16+            | not a tag: a tag is 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-' (a pattern needs *, ?, {a,b} or [abc], or regex:)",
      "nginx:1.*        | ':' cannot appear in a tag (letters, digits, '_', '.' and '-')",
      "1.{24,25         | '{' is never closed with '}'",
      "1.{2{4,5},26}    | '{' inside '{...}': alternatives cannot nest",
      "1.24}*           | '}' without a '{' before it",
      "1.2[45           | '[' is never closed with ']'",
      "1.2[!]*          | '[!]' is an empty set of characters",
  })
  void saysWhatIsWrong(String pattern, String message) {
    assertThatThrownBy(() -> TagPattern.parse(pattern))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void aLiteralMayBeAsLongAsATagAndNoLonger() {
    assertThat(TagPattern.parse("a".repeat(128)).matches("a".repeat(128))).isTrue();
    assertThatThrownBy(() -> TagPattern.parse("a".repeat(129))).hasMessageStartingWith("not a tag:");
  }
}
