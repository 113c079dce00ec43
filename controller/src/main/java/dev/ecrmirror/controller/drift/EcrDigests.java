package dev.ecrmirror.controller.drift;

import dev.ecrmirror.common.Failure;
import dev.ecrmirror.common.FailureKind;
import dev.ecrmirror.common.auth.EcrCredentials;
import dev.ecrmirror.common.aws.AwsErrors;
import dev.ecrmirror.common.aws.EcrClientSource;
import dev.ecrmirror.common.manifest.MediaTypes;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.BatchGetImageResponse;
import software.amazon.awssdk.services.ecr.model.Image;
import software.amazon.awssdk.services.ecr.model.ImageFailure;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;

/**
 * Digests of ECR images from the ECR API: one {@code BatchGetImage} per repository for up to 100
 * tags, instead of one registry request per image.
 *
 * @see <a href="https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_BatchGetImage.html">BatchGetImage</a>
 */
public final class EcrDigests {
  /** BatchGetImage takes at most 100 image ids per call. */
  static final int BATCH = 100;

  private final EcrClientSource clients;
  private final Map<String, EcrClient> cache = new java.util.concurrent.ConcurrentHashMap<>();

  public EcrDigests(Function<Region, EcrClient> clients) {
    this(EcrClientSource.anyAccount(clients));
  }

  /** Asks the client of each registry's account and region (its assumed role, if any). */
  public EcrDigests(EcrClientSource clients) {
    this.clients = clients;
  }

  /** True for references this class can answer: images in an ECR private registry. */
  public static boolean handles(ImageReference ref) {
    return EcrCredentials.isEcr(ref.registry());
  }

  /** One unit of work: up to 100 references in one repository. */
  public record Batch(String registry, String repository, List<ImageReference> refs) {}

  /** Splits references into per-repository batches of at most 100. */
  public static List<Batch> batches(List<ImageReference> refs) {
    Map<String, List<ImageReference>> byRepo = new LinkedHashMap<>();
    refs.forEach(r -> byRepo.computeIfAbsent(r.name(), k -> new ArrayList<>()).add(r));
    List<Batch> out = new ArrayList<>();
    byRepo.values().forEach(list -> {
      for (int i = 0; i < list.size(); i += BATCH) {
        List<ImageReference> part = list.subList(i, Math.min(list.size(), i + BATCH));
        out.add(new Batch(part.get(0).registry(), part.get(0).repository(), List.copyOf(part)));
      }
    });
    return out;
  }

  /** Looks up one batch; every reference of it gets an answer. */
  public Map<ImageReference, Lookup> lookup(Batch batch) {
    EcrCredentials.Registry host = EcrCredentials.registryOf(batch.registry()).orElseThrow();
    Region region = host.region();
    String registryId = host.account();
    List<ImageIdentifier> ids = new ArrayList<>();
    for (ImageReference ref : batch.refs()) {
      ids.add(ref.digest().isPresent()
          ? ImageIdentifier.builder().imageDigest(ref.digest().get().toString()).build()
          : ImageIdentifier.builder().imageTag(ref.effectiveTag().orElseThrow()).build());
    }
    Map<ImageReference, Lookup> out = new HashMap<>();
    BatchGetImageResponse response;
    try {
      EcrClient ecr = cache.computeIfAbsent(registryId + "/" + region, k -> clients.client(registryId, region));
      response = ecr.batchGetImage(b -> b.registryId(registryId).repositoryName(batch.repository())
          .imageIds(ids).acceptedMediaTypes(MediaTypes.ALL_MANIFESTS));
    } catch (RepositoryNotFoundException e) {
      batch.refs().forEach(r -> out.put(r, new Lookup.Missing()));
      return out;
    } catch (SdkException e) {
      String why = "ECR BatchGetImage on " + batch.registry() + "/" + batch.repository() + " failed: " + AwsErrors.message(e, "call the ECR API");
      // Access refused is permanent until someone changes a policy; anything else may pass on the next run.
      Failure failure = new Failure(e instanceof AwsServiceException s && s.statusCode() == 403 ? FailureKind.PERMANENT
          : FailureKind.TRANSIENT, why);
      batch.refs().forEach(r -> out.put(r, new Lookup.Failed(failure)));
      return out;
    }
    Map<String, Digest> byTag = new HashMap<>();
    Map<String, Digest> byDigest = new HashMap<>();
    for (Image image : response.images()) {
      if (image.imageId() == null || image.imageId().imageDigest() == null) {
        continue;
      }
      Digest digest = Digest.parse(image.imageId().imageDigest());
      byDigest.put(digest.toString(), digest);
      if (image.imageId().imageTag() != null) {
        byTag.put(image.imageId().imageTag(), digest);
      }
    }
    Map<String, String> failures = new HashMap<>();
    for (ImageFailure f : response.failures()) {
      String id = f.imageId() == null ? "" : f.imageId().imageDigest() != null ? f.imageId().imageDigest() : f.imageId().imageTag();
      failures.put(id, f.failureCodeAsString() + ": " + f.failureReason());
    }
    for (ImageReference ref : batch.refs()) {
      String id = ref.digest().map(Digest::toString).orElseGet(() -> ref.effectiveTag().orElseThrow());
      Digest found = ref.digest().isPresent() ? byDigest.get(id) : byTag.get(id);
      if (found != null) {
        out.put(ref, new Lookup.Found(found));
      } else {
        String failure = failures.get(id);
        if (failure == null || failure.startsWith("ImageNotFound") || failure.startsWith("ImageTagDoesNotMatchDigest")) {
          out.put(ref, new Lookup.Missing());
        } else {
          out.put(ref, new Lookup.Failed("ECR BatchGetImage " + ref + ": " + failure));
        }
      }
    }
    return out;
  }
}
