package dev.ecrmirror.common.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --assume-role ACCOUNT=ROLE_ARN} values: what is accepted, and the one line for what is not. */
class AssumeRolesTest {
  private static final String ARN = "arn:aws:iam::210987654321:role/ecr-mirror-push";

  @Test
  void repeatedAndCommaSeparatedValuesAddUp() {
    AssumeRoles roles = AssumeRoles.parse("--assume-role",
        List.of("210987654321=" + ARN, "111122223333=arn:aws:iam::111122223333:role/pull, 210987654321=" + ARN));

    assertThat(roles.roles()).containsExactly(Map.entry("210987654321", ARN),
        Map.entry("111122223333", "arn:aws:iam::111122223333:role/pull"));
    assertThat(roles.credentialsFor("999999999999")).isEmpty();
    assertThat(AssumeRoles.parse("$ECR_MIRROR_ASSUME_ROLES", List.of("")).isEmpty()).isTrue();
  }

  @Test
  void malformedValuesAreOneLine() {
    assertThatThrownBy(() -> AssumeRoles.parse("--assume-role", List.of(ARN)))
        .hasMessageStartingWith("--assume-role '" + ARN + "' must be ACCOUNT=ROLE_ARN, e.g. ");
    assertThatThrownBy(() -> AssumeRoles.parse("--assume-role", List.of("2109876=" + ARN)))
        .hasMessageContaining("must be ACCOUNT=ROLE_ARN");
    assertThatThrownBy(() -> AssumeRoles.parse("--assume-role", List.of("210987654321=arn:aws:iam::210987654321:user/bob")))
        .hasMessageContaining("must be ACCOUNT=ROLE_ARN");
    assertThatThrownBy(() -> AssumeRoles.parse("--assume-role",
        List.of("210987654321=" + ARN, "210987654321=arn:aws:iam::210987654321:role/other")))
        .hasMessageContaining("names two roles for account 210987654321");
  }
}
