package dev.ecrmirror.controller.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The AWS Batch API (REST-JSON) on loopback, as far as the controller uses it: records every
 * {@code SubmitJob}, answers {@code DescribeJobs} with states the test sets, and can throttle.
 *
 * <p>Why a stub where moto serves Batch ({@code BatchOnMotoIT} runs submission and reconciliation
 * on moto): moto 5.2.1's Batch without Docker marks every job SUCCEEDED inside SubmitJob (or, with
 * {@code MOTO_SIMPLE_BATCH_FAIL_AFTER} set for the whole server, every job FAILED), so a job can
 * never be seen RUNNING, and one job cannot fail while another succeeds with a reason the test
 * chooses; and moto never answers 429 {@code TooManyRequestsException}, so the SubmitJob backoff
 * cannot be driven. The tests that need those answers keep this stub.
 */
public final class BatchStub extends JsonStubServer {
  /** One recorded SubmitJob. */
  public record Submitted(String jobId, String jobName, String queue, String definition, Map<String, String> parameters,
      List<String> command) {}

  private final List<Submitted> submitted = new CopyOnWriteArrayList<>();
  private final Map<String, String[]> states = new ConcurrentHashMap<>();
  private final AtomicInteger throttleNext = new AtomicInteger();
  private final AtomicInteger throttled = new AtomicInteger();

  public List<Submitted> submitted() {
    return List.copyOf(submitted);
  }

  /** Answers the next {@code n} SubmitJob calls with 429 TooManyRequestsException. */
  public void throttleNext(int n) {
    throttleNext.set(n);
  }

  public int throttled() {
    return throttled.get();
  }

  /** Sets what DescribeJobs says of a job. */
  public void setState(String jobId, String status, String reason) {
    states.put(jobId, new String[] {status, reason, null});
  }

  /** Sets a job FAILED with the worker's exit code, as Batch reports a container that exited non-zero. */
  public void setFailed(String jobId, int exitCode) {
    states.put(jobId, new String[] {"FAILED", "Essential container in task exited", Integer.toString(exitCode)});
  }

  public void clear() {
    submitted.clear();
    states.clear();
  }

  @Override
  Reply answer(String method, String path, String target, JsonNode body) {
    switch (path) {
      case "/v1/submitjob" -> {
        if (throttleNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          throttled.incrementAndGet();
          return new Reply(429, "{\"__type\":\"TooManyRequestsException\",\"message\":\"Too Many Requests\"}");
        }
        String id = UUID.randomUUID().toString();
        Map<String, String> params = JSON.convertValue(body.path("parameters"),
            JSON.getTypeFactory().constructMapType(Map.class, String.class, String.class));
        List<String> command = new ArrayList<>();
        body.path("containerOverrides").path("command").forEach(c -> command.add(c.asText()));
        submitted.add(new Submitted(id, body.path("jobName").asText(), body.path("jobQueue").asText(),
            body.path("jobDefinition").asText(), params == null ? Map.of() : params, command));
        states.putIfAbsent(id, new String[] {"SUBMITTED", null, null});
        return new Reply(200, "{\"jobArn\":\"arn:aws:batch:us-east-1:123456789012:job/" + id + "\",\"jobName\":\""
            + body.path("jobName").asText() + "\",\"jobId\":\"" + id + "\"}");
      }
      case "/v1/describejobs" -> {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode jobs = out.putArray("jobs");
        for (JsonNode id : body.path("jobs")) {
          String[] state = states.get(id.asText());
          if (state == null) {
            continue;
          }
          ObjectNode job = jobs.addObject();
          job.put("jobId", id.asText()).put("jobName", "mirror").put("jobQueue", "q").put("jobDefinition", "d")
              .put("status", state[0]).put("startedAt", 1L).put("createdAt", 1L);
          if (state[1] != null) {
            job.put("statusReason", state[1]);
          }
          if (state[2] != null) {
            job.putObject("container").put("exitCode", Integer.parseInt(state[2]));
          }
          if (state[0].equals("SUCCEEDED") || state[0].equals("FAILED")) {
            job.put("stoppedAt", System.currentTimeMillis());
          }
        }
        return new Reply(200, out.toString());
      }
      case "/v1/listjobs" -> {
        // Only the JOB_NAME filter with a trailing '*', which is what the controller sends.
        String prefix = body.path("filters").path(0).path("values").path(0).asText("").replace("*", "");
        ObjectNode out = JSON.createObjectNode();
        ArrayNode list = out.putArray("jobSummaryList");
        for (Submitted s : submitted) {
          if (!prefix.isEmpty() && s.jobName().startsWith(prefix)) {
            list.addObject().put("jobId", s.jobId()).put("jobName", s.jobName()).put("createdAt", 1L);
          }
        }
        return new Reply(200, out.toString());
      }
      default -> {
        return new Reply(404, "{\"__type\":\"ClientException\",\"message\":\"no route " + path + "\"}");
      }
    }
  }
}
