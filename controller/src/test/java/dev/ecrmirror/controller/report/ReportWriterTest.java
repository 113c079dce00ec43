package dev.ecrmirror.controller.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecrmirror.common.report.ReportLine;
import dev.ecrmirror.common.report.ReportLine.Outcome;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** The report's formats, read back as a spreadsheet or jq would, and the names that pick them. */
class ReportWriterTest {
  static final ReportLine FAILED = new ReportLine("docker.io/library/nginx#stable", "1.27", "registry.example/nginx",
      "sha256:" + "a".repeat(64), null, null, Outcome.RETRYING, null, null,
      "push manifest: HTTP 500 \"boom\", then\nreset", "transient");
  static final ReportLine COPIED = new ReportLine("docker.io/library/alpine:3.20", null, "registry.example/alpine:3.20",
      "sha256:" + "b".repeat(64), null, "sha256:" + "b".repeat(64), Outcome.MIRRORED, 4096L, 0.25, null, null);

  @Test
  void csvHasAHeaderRowAndQuotesFieldsWithCommasQuotesAndLineBreaks() {
    String csv = new String(ReportWriter.encode(List.of(FAILED, COPIED), ReportTarget.Format.CSV, false),
        StandardCharsets.UTF_8);
    List<Map<String, String>> records = RunReportIT.csv(csv);
    assertThat(records).hasSize(2);
    assertThat(records.get(0).get("error")).isEqualTo(FAILED.error());
    assertThat(records.get(0).get("outcome")).isEqualTo("retrying");
    assertThat(records.get(0).get("digest")).isEmpty();
    assertThat(records.get(1)).containsEntry("bytesUploaded", "4096").containsEntry("seconds", "0.25")
        .containsEntry("tag", "").containsEntry("outcome", "mirrored");
  }

  @Test
  void jsonIsOneArrayAndJsonLinesOneObjectPerLineWithTheSameFields() throws IOException {
    ObjectMapper json = new ObjectMapper();
    JsonNode array = json.readTree(ReportWriter.encode(List.of(FAILED, COPIED), ReportTarget.Format.JSON, false));
    String[] lines = new String(ReportWriter.encode(List.of(FAILED, COPIED), ReportTarget.Format.JSON_LINES, false),
        StandardCharsets.UTF_8).split("\n");
    assertThat(array).hasSize(2);
    assertThat(lines).hasSize(2);
    for (int i = 0; i < 2; i++) {
      assertThat(json.readTree(lines[i])).isEqualTo(array.get(i));
    }
    assertThat(array.get(1).path("bytesUploaded").asLong()).isEqualTo(4096);
    assertThat(array.get(0).path("digest").isNull()).isTrue();
    assertThat(json.readTree(ReportWriter.encode(List.of(), ReportTarget.Format.JSON, false))).isEmpty();
  }

  @Test
  void gzipWrapsTheSameText() throws IOException {
    byte[] gz = ReportWriter.encode(List.of(COPIED), ReportTarget.Format.CSV, true);
    try (var in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      assertThat(in.readAllBytes()).isEqualTo(ReportWriter.encode(List.of(COPIED), ReportTarget.Format.CSV, false));
    }
  }

  @Test
  void theNameSaysTheFormatAndWhereItGoes() {
    assertThat(ReportTarget.parse("out/run.csv")).satisfies(t -> {
      assertThat(t.format()).isEqualTo(ReportTarget.Format.CSV);
      assertThat(t.gzip()).isFalse();
      assertThat(t.s3()).isFalse();
    });
    assertThat(ReportTarget.parse("RUN.CSV.GZ").gzip()).isTrue();
    assertThat(ReportTarget.parse("run.jsonl").format()).isEqualTo(ReportTarget.Format.JSON_LINES);
    ReportTarget s3 = ReportTarget.parse("s3://bucket/reports/2026/run.json.gz");
    assertThat(s3.bucket()).hasValue("bucket");
    assertThat(s3.key()).hasValue("reports/2026/run.json.gz");
    assertThat(s3.format()).isEqualTo(ReportTarget.Format.JSON);
    assertThatThrownBy(() -> ReportTarget.parse("run.txt")).hasMessageContaining("run.txt")
        .hasMessageContaining(".csv, .csv.gz, .json");
    assertThatThrownBy(() -> ReportTarget.parse("s3://bucket")).hasMessageContaining("s3://BUCKET/KEY.csv");
    assertThatThrownBy(() -> ReportTarget.parse("s3://bucket/")).hasMessageContaining("no key");
  }
}
