package dev.ecrmirror.common;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.registry.RateLimitedException;
import dev.ecrmirror.common.registry.RegistryException;
import java.io.IOException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/** A failure always has a line of text, whatever the exception carried, and a kind from what the registry or AWS answered. */
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

  @Test
  void ecrRefusingToOverwriteAnImmutableTagIsAConflict() {
    // ECR's answer to a manifest PUT moving a tag of an immutable repository.
    RegistryException immutable = new RegistryException("push manifest 1234.dkr.ecr.eu-west-1.amazonaws.com/app:1", 400,
        "TAG_INVALID", "The image tag '1' already exists in the 'app' repository and cannot be overwritten because "
            + "the repository is immutable.");

    assertThat(Failures.kind(immutable)).isEqualTo(FailureKind.CONFLICT);
    assertThat(Failures.kind(new IllegalStateException("push failed", immutable))).isEqualTo(FailureKind.CONFLICT);
    assertThat(Failure.of(immutable).message()).contains("cannot be overwritten");
  }

  @Test
  void refusedAccessAndAMissingImageArePermanent() {
    assertThat(Failures.kind(new RegistryException("check manifest r/app:1", 404, "MANIFEST_UNKNOWN", "no such image")))
        .isEqualTo(FailureKind.PERMANENT);
    assertThat(Failures.kind(new RegistryException("push blob", 403, "DENIED", "repository policy"))).isEqualTo(FailureKind.PERMANENT);
    assertThat(Failures.kind(new RegistryException("check manifest", 401, "UNAUTHORIZED", "requires a login")))
        .isEqualTo(FailureKind.PERMANENT);
    assertThat(Failures.kind(new RegistryException("push manifest", 400, "MANIFEST_INVALID", "bad"))).isEqualTo(FailureKind.TRANSIENT);
  }

  @Test
  void anEcrRepositoryTheRoleMayNotCreateIsPermanentButThrottlingIsNot() {
    AwsServiceException denied = AwsServiceException.builder().statusCode(400)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDeniedException")
            .errorMessage("not authorized to perform: ecr:CreateRepository").build()).build();
    AwsServiceException throttled = AwsServiceException.builder().statusCode(400)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode("ThrottlingException").errorMessage("Rate exceeded").build())
        .build();

    assertThat(Failures.kind(new IllegalStateException("cannot create ECR repository app", denied)))
        .isEqualTo(FailureKind.PERMANENT);
    assertThat(Failures.kind(new IllegalStateException("cannot create ECR repository app", throttled)))
        .isEqualTo(FailureKind.TRANSIENT);
  }

  @Test
  void noAnswerAndServerErrorsAreTransientAndASpentBudgetIsRateLimited() {
    assertThat(Failures.kind(new RegistryException("check manifest", 0, "", "connection refused"))).isEqualTo(FailureKind.TRANSIENT);
    assertThat(Failures.kind(new RegistryException("check manifest", 500, "", "injected"))).isEqualTo(FailureKind.TRANSIENT);
    assertThat(Failures.kind(new NullPointerException())).isEqualTo(FailureKind.TRANSIENT);
    assertThat(Failures.kind(new RegistryException("pull", 429, "TOOMANYREQUESTS", "slow down"))).isEqualTo(FailureKind.RATE_LIMITED);
    assertThat(Failures.kind(new IllegalStateException("copy", new RateLimitedException("registry-1.docker.io", "0 left",
        Optional.empty())))).isEqualTo(FailureKind.RATE_LIMITED);
  }

  @Test
  void theGravestKindDecides() {
    assertThat(FailureKind.TRANSIENT.worst(FailureKind.CONFLICT)).isEqualTo(FailureKind.CONFLICT);
    assertThat(FailureKind.PERMANENT.worst(FailureKind.RATE_LIMITED)).isEqualTo(FailureKind.PERMANENT);
    assertThat(FailureKind.RATE_LIMITED.worst(FailureKind.TRANSIENT)).isEqualTo(FailureKind.RATE_LIMITED);
  }
}
