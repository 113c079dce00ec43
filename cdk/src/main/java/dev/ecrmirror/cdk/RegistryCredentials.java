package dev.ecrmirror.cdk;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.util.List;
import software.amazon.awscdk.SecretValue;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.constructs.Construct;

/**
 * The Secrets Manager secret holding registry credentials in docker {@code config.json} form.
 *
 * <p>Both jobs receive it as the environment variable {@code ECR_MIRROR_AUTH_JSON}. It starts with
 * no credentials ({@code {"auths":{}}}); operators put real ones with
 * {@code aws secretsmanager put-secret-value}, which later deployments do not overwrite.
 */
public final class RegistryCredentials extends Construct {

  /** The environment variable both jobs read the credentials from. */
  public static final String ENV_VAR = "ECR_MIRROR_AUTH_JSON";

  /** The initial secret value: a docker config with no credentials. */
  public static final String EMPTY_DOCKER_CONFIG = "{\"auths\":{}}";

  private final Secret secret;

  public RegistryCredentials(Construct scope, String id) {
    super(scope, id);
    this.secret =
        Secret.Builder.create(this, "Secret")
            .description("ecr-mirror registry credentials, docker config.json form ({\"auths\":{...}})")
            // Not sensitive: an empty credential set, a placeholder for the operator's value.
            .secretStringValue(SecretValue.unsafePlainText(EMPTY_DOCKER_CONFIG))
            .build();
    NagSuppressions.addResourceSuppressions(
        secret,
        List.of(
            NagPackSuppression.builder()
                .id("AwsSolutions-SMG4")
                .reason(
                    "Holds tokens issued by third-party registries (Docker Hub, GHCR, ...), which"
                        + " Secrets Manager cannot rotate; the operator rotates them at the registry.")
                .build()));
  }

  public ISecret secret() {
    return secret;
  }
}
