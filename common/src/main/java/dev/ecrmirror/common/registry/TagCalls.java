package dev.ecrmirror.common.registry;

import static dev.ecrmirror.common.registry.RegistryCalls.MANIFEST_TIMEOUT;
import static dev.ecrmirror.common.registry.RegistryCalls.MAX_MANIFEST_BYTES;
import static dev.ecrmirror.common.registry.RegistryCalls.error;
import static dev.ecrmirror.common.registry.RegistryCalls.expect;
import static dev.ecrmirror.common.registry.RegistryCalls.pull;
import static dev.ecrmirror.common.registry.RegistryCalls.read;
import static dev.ecrmirror.common.registry.RegistryCalls.readError;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecrmirror.common.Json;
import dev.ecrmirror.common.manifest.MediaTypes;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryCalls.ErrorBody;
import dev.ecrmirror.common.registry.RegistryClient.TagList;
import dev.ecrmirror.common.registry.Transport.Request;
import dev.ecrmirror.common.registry.Transport.Response;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Listings of a repository: its tags, and the manifests that refer to a subject (the OCI referrers API). */
final class TagCalls {
  /** A page of 1,000 tags of 128 characters fits well within this. */
  private static final int MAX_TAGS_PAGE_BYTES = 16 * 1024 * 1024;

  private final RegistryCalls calls;

  TagCalls(RegistryCalls calls) {
    this.calls = calls;
  }

  /**
   * Every tag of the repository, in the order the registry lists them: {@code GET /v2/NAME/tags/list}
   * with {@code n=pageSize}, following the {@code Link: <…>; rel="next"} header page by page (Docker
   * Hub, GHCR, Quay and ECR all paginate). Each page is one request; none is a manifest pull. A
   * repository the registry does not know is an error, not an empty list.
   */
  TagList listTagPages(ImageReference repo, int pageSize) {
    if (pageSize < 1) {
      throw new IllegalArgumentException("tag page size must be 1 or more, not " + pageSize);
    }
    String action = "list tags of " + repo.name();
    List<String> tags = new ArrayList<>();
    URI next = calls.base(repo).resolve("/v2/" + repo.repository() + "/tags/list?n=" + pageSize);
    Set<URI> seen = new HashSet<>();
    int requests = 0;
    while (next != null) {
      if (!seen.add(next)) {
        throw new RegistryException(action, 200, "PAGINATION_INVALID", "the registry's Link header loops back to " + next);
      }
      URI page = next;
      requests++;
      Response response = calls.send(action, repo, pull(repo), true,
          () -> Request.of("GET", page, Map.of("Accept", "application/json"), MANIFEST_TIMEOUT));
      if (response.status() == 404) {
        ErrorBody body = readError(response);
        throw error(action, 404, body.code().isEmpty() ? new ErrorBody("NAME_UNKNOWN", "no such repository") : body);
      }
      expect(action, response, 200);
      byte[] bytes = read(action, response, MAX_TAGS_PAGE_BYTES);
      try {
        JsonNode listed = Json.readTree(bytes).path("tags");
        if (!listed.isNull() && !listed.isMissingNode() && !listed.isArray()) {
          throw new RegistryException(action, 200, "", "the registry's tag list is not a JSON array");
        }
        for (JsonNode tag : listed) {
          tags.add(tag.asText());
        }
      } catch (IOException e) {
        throw new RegistryException(action, 200, "", "the registry's tag list is not JSON: " + e.getMessage(), e);
      }
      next = response.header("Link").flatMap(TagCalls::nextLink).map(page::resolve).orElse(null);
    }
    return new TagList(tags, requests);
  }

  /**
   * The descriptors of the manifests that refer to {@code subject} (their {@code subject} field names
   * it), from the OCI referrers API ({@code GET /v2/NAME/referrers/DIGEST}), following {@code Link}
   * pages; empty when the registry does not serve that API (a registry that does answers 200 with an
   * index, empty or not, for any digest). Each descriptor is as the registry wrote it ({@code
   * artifactType}, annotations). Not a manifest pull.
   *
   * @see <a href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers">Listing referrers</a>
   */
  Optional<List<JsonNode>> referrers(ImageReference repo, Digest subject) {
    String action = "list referrers of " + repo.name() + "@" + subject;
    List<JsonNode> out = new ArrayList<>();
    URI next = calls.base(repo).resolve("/v2/" + repo.repository() + "/referrers/" + subject);
    Set<URI> seen = new HashSet<>();
    while (next != null) {
      if (!seen.add(next)) {
        throw new RegistryException(action, 200, "PAGINATION_INVALID", "the registry's Link header loops back to " + next);
      }
      URI page = next;
      Response response = calls.send(action, repo, pull(repo), true,
          () -> Request.of("GET", page, Map.of("Accept", MediaTypes.OCI_INDEX), MANIFEST_TIMEOUT));
      // A registry without the API answers its unknown route with 404 (docker-registry 2.8), or 400/405.
      if (out.isEmpty() && seen.size() == 1
          && (response.status() == 404 || response.status() == 405 || response.status() == 400)) {
        response.discard();
        return Optional.empty();
      }
      expect(action, response, 200);
      byte[] bytes = read(action, response, MAX_MANIFEST_BYTES);
      try {
        for (JsonNode d : Json.readTree(bytes).path("manifests")) {
          out.add(d);
        }
      } catch (IOException e) {
        throw new RegistryException(action, 200, "", "the registry's referrers index is not JSON: " + e.getMessage(), e);
      }
      next = response.header("Link").flatMap(TagCalls::nextLink).map(page::resolve).orElse(null);
    }
    return Optional.of(out);
  }

  /** The target of {@code rel="next"} in a {@code Link} header, if any. */
  static Optional<String> nextLink(String header) {
    for (String link : header.split(",(?=\\s*<)")) {
      int open = link.indexOf('<');
      int close = link.indexOf('>', open + 1);
      if (open >= 0 && close > open && link.substring(close + 1).replace(" ", "").contains("rel=\"next\"")) {
        return Optional.of(link.substring(open + 1, close).trim());
      }
    }
    return Optional.empty();
  }
}
