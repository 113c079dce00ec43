package dev.ecrmirror.cdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;

class StackConfigTest {

  private static StackConfig config(Map<String, Object> context) {
    return StackConfig.fromContext(new App(AppProps.builder().context(context).build()).getNode());
  }

  @Test
  void defaults() {
    StackConfig config = config(Map.of());

    assertThat(config.imagePrefix()).isEmpty();
    assertThat(config.imageTag()).isEqualTo("0.1.0");
    assertThat(config.network()).isEqualTo(NetworkProps.createVpc());
    assertThat(config.spot()).isTrue();
    assertThat(config.arm64()).isFalse();
    assertThat(config.workerVcpus()).isEqualTo(1.0);
    assertThat(config.workerMemoryMib()).isEqualTo(2048);
    assertThat(config.workerTimeoutMinutes()).isEqualTo(240);
    assertThat(config.schedule()).contains("rate(1 hour)");
    assertThat(config.logRetentionDays()).isEqualTo(30);
    assertThat(config.ecrRepositoryPrefix()).isEmpty();
    assertThat(config.fromEcrTags()).isFalse();
    assertThat(config.eventsExcludePrefix()).isEmpty();
  }

  @Test
  void eventsExcludePrefixIsTheStartOfARepositoryName() {
    assertThat(config(Map.of("eventsExcludePrefix", "mirror/")).eventsExcludePrefix()).contains("mirror/");
    assertThatThrownBy(() -> config(Map.of("eventsExcludePrefix", "Mirror/*")))
        .hasMessageStartingWith("context eventsExcludePrefix must be the start of an ECR repository name");
  }

  @Test
  void fromEcrTagsIsASwitch() {
    assertThat(config(Map.of("fromEcrTags", "true")).fromEcrTags()).isTrue();
    assertThat(config(Map.of("fromEcrTags", true)).fromEcrTags()).isTrue();
    assertThatThrownBy(() -> config(Map.of("fromEcrTags", "yes")))
        .hasMessage("context fromEcrTags must be true or false, got: yes");
  }

  @Test
  void acceptsJsonTypedValuesFromCdkJson() {
    StackConfig config = config(Map.of("spot", false, "workerTimeoutMinutes", 90, "logRetentionDays", 7.0));

    assertThat(config.spot()).isFalse();
    assertThat(config.workerTimeoutMinutes()).isEqualTo(90);
    assertThat(config.logRetentionDays()).isEqualTo(7);
  }

  @Test
  void scheduleNoneDisablesTheSchedule() {
    assertThat(config(Map.of("schedule", "none")).schedule()).isEqualTo(Optional.empty());
  }

  @Test
  void rejectsMistypedOptionsNamingTheKey() {
    assertThatThrownBy(() -> config(Map.of("schedule", "hourly")))
        .hasMessageContaining("schedule");
    assertThatThrownBy(() -> config(Map.of("cpuArchitecture", "arm")))
        .hasMessageContaining("cpuArchitecture");
    assertThatThrownBy(() -> config(Map.of("spot", "yes"))).hasMessageContaining("spot");
    assertThatThrownBy(() -> config(Map.of("workerTimeoutMinutes", "4h")))
        .hasMessageContaining("workerTimeoutMinutes");
    assertThatThrownBy(() -> config(Map.of("subnetIds", "subnet-0aaaaaaaaaaaaaaaa")))
        .hasMessageContaining("vpcId");
    assertThatThrownBy(() -> config(Map.of("vpcId", "vpc-0123456789abcdef0")))
        .hasMessageContaining("subnetIds");
  }

  @Test
  void rejectsRetentionsCloudWatchDoesNotOffer() {
    assertThatThrownBy(() -> Stacks.stack(Map.of("logRetentionDays", "45")))
        .hasMessageContaining("logRetentionDays")
        .hasMessageContaining("60");
  }

  @Test
  void privateModeContradictionsAndMissingRouteTablesAreNamed() {
    assertThatThrownBy(() -> config(Map.of("privateSubnets", "true", "assignPublicIp", "true")))
        .hasMessage("context privateSubnets=true runs tasks without public IPs; drop assignPublicIp=true");
    assertThatThrownBy(
            () ->
                config(
                    Map.of(
                        "privateSubnets", "true",
                        "vpcId", "vpc-0123456789abcdef0",
                        "subnetIds", "subnet-0aaaaaaaaaaaaaaaa")))
        .hasMessage(
            "context privateSubnets=true with vpcId needs routeTableIds (comma-separated route tables"
                + " of the subnets), for the S3 and DynamoDB gateway endpoints");
    assertThatThrownBy(
            () ->
                config(
                    Map.of(
                        "vpcId", "vpc-0123456789abcdef0",
                        "subnetIds", "subnet-0aaaaaaaaaaaaaaaa",
                        "routeTableIds", "rtb-0dddddddddddddddd")))
        .hasMessage("context routeTableIds is only used with privateSubnets=true");
    assertThat(config(Map.of("privateSubnets", "true")).network()).isEqualTo(NetworkProps.createPrivateVpc());
  }

  @Test
  void alertsAreOffByDefaultAndAnEmailImpliesTheTopic() {
    var defaults = config(Map.of()).alerts();
    assertThat(defaults.slackWebhookSecretArn()).isEmpty();
    assertThat(defaults.topic()).isFalse();
    assertThat(defaults.failedRuns()).isEqualTo(2);
    var email = config(Map.of("notifyEmail", "ops@example.com")).alerts();
    assertThat(email.topic()).isTrue();
    assertThat(email.email()).contains("ops@example.com");
    assertThatThrownBy(() -> config(Map.of("slackWebhookSecretArn", "https://hooks.slack.com/services/T/B/X")))
        .hasMessage("context slackWebhookSecretArn must be a Secrets Manager secret ARN"
            + " (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-xxxxxx), got: https://hooks.slack.com/services/T/B/X");
    assertThatThrownBy(() -> config(Map.of("notifyEmail", "ops")))
        .hasMessage("context notifyEmail must be an email address, got: ops");
  }

  @Test
  void theSchedulePeriodComesFromARateExpression() {
    assertThat(config(Map.of()).schedulePeriod()).isEqualTo(java.time.Duration.ofHours(1));
    assertThat(config(Map.of("schedule", "rate(15 minutes)")).schedulePeriod()).isEqualTo(java.time.Duration.ofMinutes(15));
    assertThat(config(Map.of("schedule", "rate(1 day)")).schedulePeriod()).isEqualTo(java.time.Duration.ofDays(1));
    assertThat(config(Map.of("schedule", "cron(0 3 * * ? *)")).schedulePeriod()).isEqualTo(java.time.Duration.ofHours(1));
  }
}
