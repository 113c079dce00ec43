package dev.ecrmirror.controller.ecrtags;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.Repository;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;
import software.amazon.awssdk.services.ecr.model.Tag;

/**
 * Lists the ECR repositories of one region with their resource tags: {@code DescribeRepositories}
 * page by page, then {@code ListTagsForResource} for each repository.
 */
public final class EcrRepositoryTags {
  private final EcrClient ecr;
  private final Region region;

  public EcrRepositoryTags(EcrClient ecr, Region region) {
    this.ecr = ecr;
    this.region = region;
  }

  /** One repository and its resource tags. */
  public record TaggedRepository(String arn, String uri, Map<String, String> tags) {
    public TaggedRepository {
      tags = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    }
  }

  /**
   * What the listing found.
   *
   * @param repositories every repository whose tags were read
   * @param unreadable repositories whose tags could not be read, with why (their rows are kept as they are)
   */
  public record Listing(List<TaggedRepository> repositories, Map<String, String> unreadable) {}

  public Region region() {
    return region;
  }

  /**
   * Lists the region's repositories and their tags. A repository whose tags cannot be read is
   * reported in {@link Listing#unreadable} and the others go on; a failure to list the
   * repositories at all throws {@link IllegalStateException} with one line saying why.
   */
  public Listing list() {
    List<Repository> repositories = new ArrayList<>();
    try {
      ecr.describeRepositoriesPaginator(b -> b.maxResults(1000)).repositories().forEach(repositories::add);
    } catch (AwsServiceException e) {
      throw new IllegalStateException("cannot list the ECR repositories of " + region + ": " + message(e), e);
    } catch (SdkException e) {
      throw new IllegalStateException("cannot reach the ECR API of " + region + ": " + e.getMessage(), e);
    }
    List<TaggedRepository> tagged = new ArrayList<>();
    Map<String, String> unreadable = new LinkedHashMap<>();
    for (Repository repository : repositories) {
      try {
        Map<String, String> tags = new LinkedHashMap<>();
        for (Tag tag : ecr.listTagsForResource(b -> b.resourceArn(repository.repositoryArn())).tags()) {
          tags.put(tag.key(), tag.value() == null ? "" : tag.value());
        }
        tagged.add(new TaggedRepository(repository.repositoryArn(), repository.repositoryUri(), tags));
      } catch (RepositoryNotFoundException e) {
        // Deleted between the two calls: as if never listed, so its derived row goes.
      } catch (AwsServiceException e) {
        unreadable.put(repository.repositoryArn(), "cannot read the tags of " + repository.repositoryArn() + ": " + message(e));
      } catch (SdkException e) {
        unreadable.put(repository.repositoryArn(), "cannot read the tags of " + repository.repositoryArn() + ": " + e.getMessage());
      }
    }
    return new Listing(tagged, unreadable);
  }

  private static String message(AwsServiceException e) {
    return e.awsErrorDetails() == null || e.awsErrorDetails().errorMessage() == null ? e.getMessage()
        : e.awsErrorDetails().errorCode() + ": " + e.awsErrorDetails().errorMessage();
  }
}
