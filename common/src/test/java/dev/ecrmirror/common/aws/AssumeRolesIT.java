package dev.ecrmirror.common.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.auth.Credential;
import dev.ecrmirror.common.auth.EcrCredentials;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.testing.MotoServer;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.Repository;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleRequest;

/**
 * Cross-account roles against moto's STS and ECR. moto files what a caller does under the account of
 * the credentials it signs with, and credentials from AssumeRole belong to the role's account: so a
 * repository created through the assumed role appears in the other account, which shows the ECR
 * calls used the assumed credentials. The role is assumed once for many calls.
 */
class AssumeRolesIT {
  private static final String OTHER = "210987654321";
  private static final String ROLE = "arn:aws:iam::" + OTHER + ":role/ecr-mirror-push";
  private static MotoServer moto;

  @BeforeAll
  static void start() throws Exception {
    moto = MotoServer.start();
    moto.reset();
  }

  @AfterAll
  static void stop() {
    if (moto != null) {
      moto.close();
    }
  }

  private static StaticCredentialsProvider mirrorAccount() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "example-secret"));
  }

  @Test
  void ecrCallsAndTheRegistryLoginUseTheRoleAssumedOnce() {
    AtomicInteger assumeRoleCalls = new AtomicInteger();
    List<String> sessions = new java.util.concurrent.CopyOnWriteArrayList<>();
    StsClient sts = StsClient.builder().region(Region.US_EAST_1).endpointOverride(moto.endpoint())
        .credentialsProvider(mirrorAccount()).httpClientBuilder(UrlConnectionHttpClient.builder())
        .overrideConfiguration(c -> c.addExecutionInterceptor(new ExecutionInterceptor() {
          @Override
          public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            if (context.request() instanceof AssumeRoleRequest r) {
              assumeRoleCalls.incrementAndGet();
              sessions.add(r.roleArn() + " as " + r.roleSessionName());
            }
          }
        }))
        .build();
    AssumeRoles roles = AssumeRoles.parse("--assume-role", List.of(OTHER + "=" + ROLE)).withSts(() -> sts);
    EcrClients clients = EcrClients.fromEnvironment(Map.of(EcrClients.ENDPOINT_ENV, moto.endpoint().toString()), roles);
    String registry = OTHER + ".dkr.ecr.us-west-2.amazonaws.com";

    EcrRepositories repositories = new EcrRepositories(clients, RepositorySettings.none());
    repositories.ensure(ImageReference.parse(registry + "/mirror/one:1"));
    repositories.ensure(ImageReference.parse(registry + "/mirror/two:1"));
    Credential login = new EcrCredentials(clients, Clock.systemUTC()).credentialFor(registry).orElseThrow();

    assertThat(login.toString()).doesNotContain("secret");
    assertThat(assumeRoleCalls).as("one AssumeRole for every call of the run").hasValue(1);
    assertThat(sessions).containsExactly(ROLE + " as ecr-mirror-" + OTHER);
    try (EcrClient mine = EcrClient.builder().region(Region.US_WEST_2).endpointOverride(moto.endpoint())
        .credentialsProvider(mirrorAccount()).httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
      // Not in the mirror account: the calls were made as the role.
      assertThat(mine.describeRepositories(b -> {}).repositories()).isEmpty();
    }
    assertThat(clients.client(OTHER, Region.US_WEST_2).describeRepositories(b -> {}).repositories())
        .extracting(Repository::repositoryName, Repository::registryId)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("mirror/one", OTHER),
            org.assertj.core.groups.Tuple.tuple("mirror/two", OTHER));
    assertThat(clients.client(OTHER, Region.US_WEST_2)).isSameAs(clients.client(OTHER, Region.US_WEST_2));
    assertThat(assumeRoleCalls).hasValue(1);
  }
}
