package dev.ecrmirror.controller.table;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The index value a row key gets must equal the one a push of the same repository asks for. */
class SourceIndexTest {
  static final String ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

  @Test
  void aKeyIndexesUnderItsNormalizedRepositoryWhateverItsTagDigestOrLabel() {
    assertThat(SourceIndex.valueOf(ECR + "/team/app:1")).contains(ECR + "/team/app");
    assertThat(SourceIndex.valueOf(ECR + "/team/app")).contains(ECR + "/team/app");
    assertThat(SourceIndex.valueOf(ECR + "/team/app#nightly")).contains(ECR + "/team/app");
    assertThat(SourceIndex.valueOf(ECR + "/team/app:1#second")).contains(ECR + "/team/app");
    assertThat(SourceIndex.valueOf("postgres:16")).contains("docker.io/library/postgres");
    assertThat(SourceIndex.valueOf("index.docker.io/library/postgres@sha256:" + "a".repeat(64)))
        .contains("docker.io/library/postgres");
  }

  @Test
  void aKeyThatIsNoReferenceHasNoIndexValue() {
    assertThat(SourceIndex.valueOf("Not A Reference")).isEmpty();
    assertThat(SourceIndex.valueOf("#label")).isEmpty();
  }
}
