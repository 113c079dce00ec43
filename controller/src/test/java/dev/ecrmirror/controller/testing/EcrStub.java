package dev.ecrmirror.controller.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The ECR API (AWS JSON 1.1) on loopback, as far as the controller uses it: {@code BatchGetImage}
 * over images the test sets, recording each call's repository and image count, and
 * {@code DescribeImages} listing them (one page) for repository rows.
 *
 * <p>Why a stub where moto serves ECR's control plane: the controller compares the digest
 * {@code BatchGetImage} reports with the source's, and moto 5.2.1's {@code PutImage} re-serializes
 * the manifest it is given, so the digest it reports is not that of the bytes pushed and an image
 * can never be made "in sync" there; a test also needs a repository that answers 500, which moto
 * never does.
 */
public final class EcrStub extends JsonStubServer {
  /** One recorded BatchGetImage. */
  public record Call(String registryId, String repository, int imageIds) {}

  private final Map<String, Map<String, String>> tags = new ConcurrentHashMap<>();
  private final Set<String> broken = ConcurrentHashMap.newKeySet();
  private final List<Call> calls = new CopyOnWriteArrayList<>();

  /** Makes {@code repository:tag} point at {@code digest}. */
  public void put(String repository, String tag, String digest) {
    tags.computeIfAbsent(repository, r -> new ConcurrentHashMap<>()).put(tag, digest);
  }

  /** Makes every call on this repository fail with a server error. */
  public void breakRepository(String repository) {
    broken.add(repository);
  }

  public List<Call> calls() {
    return List.copyOf(calls);
  }

  @Override
  Reply answer(String method, String path, String target, JsonNode body) {
    if (target != null && target.endsWith(".DescribeImages")) {
      return describe(body.path("repositoryName").asText());
    }
    if (target == null || !target.endsWith(".BatchGetImage")) {
      return new Reply(400, "{\"__type\":\"UnknownOperationException\",\"message\":\"" + target + "\"}");
    }
    String repo = body.path("repositoryName").asText();
    calls.add(new Call(body.path("registryId").asText(), repo, body.path("imageIds").size()));
    if (broken.contains(repo)) {
      return new Reply(500, "{\"__type\":\"ServerException\",\"message\":\"broken on purpose\"}");
    }
    Map<String, String> repoTags = tags.get(repo);
    if (repoTags == null) {
      return new Reply(400, "{\"__type\":\"RepositoryNotFoundException\",\"message\":\"The repository with name '"
          + repo + "' does not exist\"}");
    }
    ObjectNode out = JSON.createObjectNode();
    ArrayNode images = out.putArray("images");
    ArrayNode failures = out.putArray("failures");
    for (JsonNode id : body.path("imageIds")) {
      String tag = id.path("imageTag").asText(null);
      String digest = tag != null ? repoTags.get(tag) : id.path("imageDigest").asText(null);
      if (digest == null || (tag == null && !repoTags.containsValue(digest))) {
        ObjectNode f = failures.addObject();
        f.set("imageId", id);
        f.put("failureCode", "ImageNotFound").put("failureReason", "Requested image not found");
        continue;
      }
      ObjectNode image = images.addObject();
      image.put("registryId", body.path("registryId").asText()).put("repositoryName", repo);
      ObjectNode imageId = image.putObject("imageId").put("imageDigest", digest);
      if (tag != null) {
        imageId.put("imageTag", tag);
      }
      image.put("imageManifest", "{}").put("imageManifestMediaType", "application/vnd.oci.image.index.v1+json");
    }
    return new Reply(200, out.toString());
  }

  /** Every tagged image of the repository, its tags grouped by digest, in one page. */
  private Reply describe(String repo) {
    Map<String, String> repoTags = tags.get(repo);
    if (broken.contains(repo) || repoTags == null) {
      return broken.contains(repo)
          ? new Reply(500, "{\"__type\":\"ServerException\",\"message\":\"broken on purpose\"}")
          : new Reply(400, "{\"__type\":\"RepositoryNotFoundException\",\"message\":\"The repository with name '"
              + repo + "' does not exist\"}");
    }
    Map<String, ArrayNode> byDigest = new java.util.LinkedHashMap<>();
    ObjectNode out = JSON.createObjectNode();
    ArrayNode details = out.putArray("imageDetails");
    repoTags.forEach((tag, digest) -> byDigest.computeIfAbsent(digest, d -> {
      ObjectNode detail = details.addObject().put("repositoryName", repo).put("imageDigest", d);
      return detail.putArray("imageTags");
    }).add(tag));
    return new Reply(200, out.toString());
  }
}
