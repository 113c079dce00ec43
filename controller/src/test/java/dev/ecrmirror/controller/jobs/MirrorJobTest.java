package dev.ecrmirror.controller.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.Pin;
import dev.ecrmirror.controller.table.MirrorRow;
import dev.ecrmirror.controller.table.RowParser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class MirrorJobTest {
  static final Digest A = Digest.parse("sha256:" + "a".repeat(64));

  static MirrorRow row(String source, String destinations, Map<String, AttributeValue> extra) {
    Map<String, AttributeValue> item = new HashMap<>(extra);
    item.put("Source", AttributeValue.fromS(source));
    item.put("Destination", AttributeValue.fromS(destinations));
    return (MirrorRow) RowParser.parse(item);
  }

  static List<Pin> pins(int n) {
    List<Pin> pins = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      pins.add(new Pin("1." + i + ".0-debian-12", Digest.sha256(("image " + i).getBytes())));
    }
    return pins;
  }

  @Test
  void parametersCarryTheDriftedDestinationsAsWrittenAndTheCheckedDigest() {
    MirrorRow row = row("docker.io/library/redis:7", "r.example/redis,r.example/cache:7",
        Map.of("Platforms", AttributeValue.fromS("linux/amd64,linux/arm64/v8")));
    MirrorJob job = new MirrorJob(row, A, row.destinations());
    assertThat(job.sourceParameter()).isEqualTo("docker.io/library/redis:7");
    assertThat(job.destParameter()).isEqualTo("r.example/redis,r.example/cache:7");
    assertThat(job.parameters()).containsEntry("pin", "7@" + A);
    assertThat(job.platformCommand()).containsExactly("--platform", "linux/amd64", "--platform", "linux/arm64/v8",
        "--pin", "7@" + A, "docker.io/library/redis:7", "r.example/redis,r.example/cache:7");
    assertThat(job.jobName()).isEqualTo("mirror-library-redis-7").matches("[a-z0-9_-]{1,128}");
  }

  @Test
  void aRowKeepingOrBackingUpTagsSaysSoInTheJobAndAnOverwritingRowSendsNothingNew() {
    MirrorRow keep = row("docker.io/library/redis:7", "r.example/redis", Map.of("ExistingTags", AttributeValue.fromS("keep"),
        "Platforms", AttributeValue.fromS("linux/amd64")));
    MirrorJob job = new MirrorJob(keep, A, keep.destinations());
    assertThat(job.parameters()).containsEntry(MirrorJob.EXISTING_PARAMETER, "keep");
    assertThat(job.platformCommand()).containsSequence("--existing-tags", "keep");
    MirrorRow plain = row("docker.io/library/redis:7", "r.example/redis", Map.of());
    assertThat(new MirrorJob(plain, A, plain.destinations()).parameters()).containsOnlyKeys("source", "dest", "pin");
  }

  @Test
  void aRowWithReferrersFalseTellsItsJobToCopyTheImageAlone() {
    MirrorRow row = row("docker.io/library/redis:7", "r.example/redis", Map.of("Referrers", AttributeValue.fromBool(false),
        "Platforms", AttributeValue.fromS("linux/amd64")));
    MirrorJob job = new MirrorJob(row, A, row.destinations());
    assertThat(job.parameters()).containsEntry("referrers", "false");
    assertThat(job.platformCommand()).containsExactly("--platform", "linux/amd64", "--pin", "7@" + A, "--no-referrers",
        "docker.io/library/redis:7", "r.example/redis");
    // The default (true) is the job definition's: nothing to send.
    MirrorRow plain = row("docker.io/library/redis:7", "r.example/redis", Map.of());
    assertThat(new MirrorJob(plain, A, plain.destinations()).parameters()).doesNotContainKey("referrers");
  }

  @Test
  void aSourceNamedByDigestHasNoPin() {
    MirrorRow row = row("docker.io/library/redis@" + A, "r.example/redis", Map.of());
    MirrorJob job = new MirrorJob(row, A, row.destinations());
    assertThat(job.parameters()).containsOnlyKeys("source", "dest");
  }

  @Test
  void twoThousandDriftedTagsAreSplitIntoJobsUnderBatchsLimitEachTagOnce() {
    MirrorRow row = row("docker.io/library/nginx#prod", "111111111111.dkr.ecr.eu-west-1.amazonaws.com/mirror/nginx,"
        + "r.example/nginx", Map.of("Tags", AttributeValue.fromS("1.*")));
    List<Pin> pins = pins(2000);
    List<MirrorJob> jobs = MirrorJob.repository(row, row.destinations(), pins);

    assertThat(jobs).hasSizeGreaterThan(1);
    List<Pin> carried = new ArrayList<>();
    for (MirrorJob job : jobs) {
      int size = job.parameters().entrySet().stream().mapToInt(e -> e.getKey().length() + e.getValue().length()).sum();
      assertThat(size).isLessThanOrEqualTo(30 * 1024);
      assertThat(job.parameters()).containsEntry("source", "docker.io/library/nginx")
          .containsEntry("dest", "111111111111.dkr.ecr.eu-west-1.amazonaws.com/mirror/nginx,r.example/nginx");
      carried.addAll(Pin.parseList(job.parameters().get("pin")));
    }
    assertThat(carried).containsExactlyElementsOf(pins);
    // Not split more than needed: every job but the last is nearly full.
    assertThat(jobs.subList(0, jobs.size() - 1)).allSatisfy(j -> assertThat(j.parameterSize()).isGreaterThan(29 * 1024));
    assertThat(jobs).extracting(MirrorJob::jobName).doesNotHaveDuplicates()
        .allMatch(n -> n.matches("[a-z0-9_-]{1,128}")).first().isEqualTo("mirror-library-nginx-prod-tags-1of" + jobs.size());
  }

  @Test
  void aPlatformsRowCountsItsPinsTwiceSinceTheCommandCarriesThemToo() {
    MirrorRow plain = row("docker.io/library/nginx", "r.example/nginx", Map.of("Tags", AttributeValue.fromS("*")));
    MirrorRow platforms = row("docker.io/library/nginx", "r.example/nginx", Map.of("Tags", AttributeValue.fromS("*"),
        "Platforms", AttributeValue.fromS("linux/amd64")));
    List<Pin> pins = pins(2000);
    List<MirrorJob> plainJobs = MirrorJob.repository(plain, plain.destinations(), pins);
    List<MirrorJob> platformJobs = MirrorJob.repository(platforms, platforms.destinations(), pins);
    assertThat(platformJobs.size()).isGreaterThan(plainJobs.size());
    assertThat(platformJobs).allSatisfy(j -> {
      assertThat(j.parameterSize()).isLessThanOrEqualTo(MirrorJob.PARAMETER_LIMIT);
      assertThat(j.platformCommand()).startsWith("--platform", "linux/amd64", "--pin", j.pinParameter());
    });
    assertThat(MirrorJob.repository(plain, plain.destinations(), pins(3))).singleElement()
        .satisfies(j -> assertThat(j.jobName()).isEqualTo("mirror-library-nginx-tags"));
  }

  @Test
  void destinationsTooManyForOneTagAreOneClearError() {
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 700; i++) {
      many.append(i == 0 ? "" : ",").append("registry-").append(i).append(".example/team/some/long/repository/path");
    }
    MirrorRow row = row("docker.io/library/nginx", many.toString(), Map.of("Tags", AttributeValue.fromS("*")));
    assertThatThrownBy(() -> MirrorJob.repository(row, row.destinations(), pins(1)))
        .isInstanceOf(JobException.class).hasMessageContaining("docker.io/library/nginx").hasMessageContaining("destinations");
  }
}
