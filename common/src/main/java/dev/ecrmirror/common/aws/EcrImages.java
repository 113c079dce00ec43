package dev.ecrmirror.common.aws;

import dev.ecrmirror.common.auth.EcrCredentials;
import dev.ecrmirror.common.ref.Digest;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.ref.InvalidReferenceException;
import dev.ecrmirror.common.registry.RegistryException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.DescribeImagesRequest;
import software.amazon.awssdk.services.ecr.model.DescribeImagesResponse;
import software.amazon.awssdk.services.ecr.model.ImageDetail;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;
import software.amazon.awssdk.services.ecr.model.TagStatus;

/**
 * Lists an ECR repository's tags with their digests through the ECR API ({@code DescribeImages}),
 * so a repository row whose source is in ECR needs no manifest request per tag.
 *
 * @see <a href="https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html">DescribeImages</a>
 */
public final class EcrImages {
  /** DescribeImages returns at most 1,000 images a page. */
  static final int PAGE_SIZE = 1000;

  private final EcrClientSource clients;

  public EcrImages(Function<Region, EcrClient> clients) {
    this(EcrClientSource.anyAccount(clients));
  }

  /** Lists through the client of each repository's account and region (a role assumed for the account, say). */
  public EcrImages(EcrClientSource clients) {
    this.clients = clients;
  }

  /**
   * Every tag of the repository with the digest it points at.
   *
   * @param digests tag to digest, in the order ECR listed them
   * @param requests how many {@code DescribeImages} pages were read
   */
  public record Tags(Map<String, Digest> digests, int requests) {
    public Tags {
      digests = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(digests));
    }
  }

  /** True for repositories this class can list: those in an ECR private registry. */
  public static boolean handles(ImageReference repository) {
    return EcrCredentials.isEcr(repository.registry());
  }

  /**
   * Lists the tagged images of an ECR repository, one request per page. Failures are a
   * {@link RegistryException} with one line naming the repository, the account and the region:
   * status 404 when the repository does not exist, 403 when access is denied.
   */
  public Tags list(ImageReference repository) {
    EcrCredentials.Registry host = EcrCredentials.registryOf(repository.registry())
        .orElseThrow(() -> new IllegalArgumentException(repository.name() + " is not an ECR repository"));
    Region region = host.region();
    String account = host.account();
    String action = "list tags of " + repository.name();
    String where = "ECR repository " + repository.repository() + " in account " + account + " (" + region + ")";
    DescribeImagesRequest request = DescribeImagesRequest.builder().registryId(account)
        .repositoryName(repository.repository()).filter(f -> f.tagStatus(TagStatus.TAGGED))
        .maxResults(PAGE_SIZE).build();
    Map<String, Digest> digests = new LinkedHashMap<>();
    int pages = 0;
    try {
      for (DescribeImagesResponse page : clients.client(account, region).describeImagesPaginator(request)) {
        pages++;
        for (ImageDetail image : page.imageDetails()) {
          if (image.imageDigest() == null) {
            continue;
          }
          Digest digest;
          try {
            digest = Digest.parse(image.imageDigest());
          } catch (InvalidReferenceException e) {
            throw new RegistryException(action, 200, "", where + " lists an image with a bad digest: " + e.getMessage());
          }
          // A tag names one image at a time, so each tag appears once across all pages.
          image.imageTags().forEach(tag -> digests.put(tag, digest));
        }
      }
    } catch (RepositoryNotFoundException e) {
      throw new RegistryException(action, 404, "NAME_UNKNOWN", where + " does not exist", e);
    } catch (AwsServiceException e) {
      String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
      String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
      boolean denied = code != null && code.contains("AccessDenied");
      throw new RegistryException(action, denied ? 403 : e.statusCode(), denied ? "DENIED" : code,
          (denied ? "access denied to " : "DescribeImages on ") + where + ": " + oneLine(message), e);
    } catch (SdkException e) {
      throw new RegistryException(action, 0, "", "cannot reach the ECR API for " + where + ": " + oneLine(e.getMessage()), e);
    }
    return new Tags(digests, pages);
  }

  private static String oneLine(String message) {
    return message == null ? "" : message.replaceAll("\\s*\\R\\s*", " ").trim();
  }
}
