package dev.ecrmirror.common.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.testing.MotoServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.Repository;

/**
 * Creating missing ECR repositories through moto's ECR API: what {@code EcrRepositories} creates
 * is then listed by DescribeRepositories in the host's region. Refusals, which moto cannot
 * produce, are in {@code EcrRepositoriesTest}.
 */
class EcrRepositoriesIT {
  /** moto's default account, so the registry id taken from the host name is the one moto serves. */
  private static final String ACCOUNT = "123456789012";
  private static MotoServer moto;

  @BeforeAll
  static void start() throws Exception {
    moto = MotoServer.start();
  }

  @AfterAll
  static void stop() {
    if (moto != null) {
      moto.close();
    }
  }

  @BeforeEach
  void forgetRepositories() throws Exception {
    moto.reset();
  }

  private static EcrClient client(Region region) {
    return moto.ecr(region);
  }

  private static ImageReference ecrRef(String region, String repository) {
    return ImageReference.parse(ACCOUNT + ".dkr.ecr." + region + ".amazonaws.com/" + repository + ":1");
  }

  private static List<String> repositoriesIn(Region region) {
    try (EcrClient ecr = client(region)) {
      return ecr.describeRepositories(b -> b.registryId(ACCOUNT)).repositories().stream()
          .map(Repository::repositoryName).toList();
    }
  }

  @Test
  void createsAMissingRepositoryInTheHostsRegionAndAccount() {
    EcrRepositories repositories = new EcrRepositories(EcrRepositoriesIT::client);

    assertThat(repositories.ensureExists(ecrRef("us-west-2", "mirror/new"))).isTrue();

    assertThat(repositoriesIn(Region.US_WEST_2)).containsExactly("mirror/new");
    // moto keeps each region apart, as ECR does: nothing appears where the host does not point.
    assertThat(repositoriesIn(Region.EU_WEST_1)).isEmpty();
  }

  @Test
  void asksOncePerRunAndCreatesNothingTwice() {
    EcrRepositories repositories = new EcrRepositories(EcrRepositoriesIT::client);

    assertThat(repositories.ensureExists(ecrRef("us-west-2", "mirror/new"))).isTrue();
    assertThat(repositories.ensureExists(ecrRef("us-west-2", "mirror/new"))).isFalse();

    assertThat(repositoriesIn(Region.US_WEST_2)).containsExactly("mirror/new");
  }

  @Test
  void aRepositoryThatAlreadyExistsIsFine() {
    try (EcrClient ecr = client(Region.US_WEST_2)) {
      ecr.createRepository(b -> b.repositoryName("mirror/already"));
    }
    // A fresh run knows nothing of earlier ones, so ECR answers RepositoryAlreadyExists.
    EcrRepositories repositories = new EcrRepositories(EcrRepositoriesIT::client);

    assertThat(repositories.ensureExists(ecrRef("us-west-2", "mirror/already"))).isFalse();

    assertThat(repositoriesIn(Region.US_WEST_2)).containsExactly("mirror/already");
  }

  @Test
  void otherRegistriesAreLeftAlone() {
    EcrRepositories repositories = new EcrRepositories(EcrRepositoriesIT::client);

    assertThat(repositories.ensureExists(ImageReference.parse("ghcr.io/org/app:1"))).isFalse();
    assertThat(repositories.ensureExists(ImageReference.parse("public.ecr.aws/org/app:1"))).isFalse();

    assertThat(repositoriesIn(Region.US_EAST_1)).isEmpty();
  }
}
