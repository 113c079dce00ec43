package dev.ecrmirror.common.tags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecrmirror.common.aws.EcrImages;
import dev.ecrmirror.common.manifest.MediaTypes;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryException;
import dev.ecrmirror.common.registry.RegistryOptions;
import dev.ecrmirror.common.testing.LocalRegistry;
import dev.ecrmirror.common.testing.MotoServer;
import dev.ecrmirror.common.testing.TestImages;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * Tag listing against real servers: docker-registry 2.8 and moto's ECR API. docker-registry
 * 2.8.2 ignores {@code n} on {@code tags/list} and answers with every tag and no {@code Link}
 * (pagination came with distribution 3), so paging itself is shown against a stub in
 * {@code TagListerTest}; here a real registry's answer must still yield every tag.
 */
class TagListerIT {
  private static LocalRegistry registry;
  private static MotoServer moto;
  private static EcrClient ecr;

  @BeforeAll
  static void start() throws Exception {
    registry = LocalRegistry.start();
    moto = MotoServer.start();
    ecr = moto.ecr(Region.US_EAST_1);
  }

  @AfterAll
  static void stop() {
    if (ecr != null) {
      ecr.close();
    }
    if (moto != null) {
      moto.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  private static TagLister lister(int pageSize) {
    return new TagLister(new RegistryClient(RegistryOptions.defaults()), Optional.of(new EcrImages(r -> ecr)), pageSize);
  }

  @Test
  void listsEveryTagOfARealRegistryThatIgnoresThePageSize() {
    TestImages images = new TestImages(registry.baseUri(), 11);
    TestImages.Pushed image = images.image("team/paged", "linux", "amd64", "", true, 1, 256);
    List<String> pushed = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      String tag = "1." + i + ".0";
      images.tag("team/paged", tag, image);
      pushed.add(tag);
    }

    TagLister.Listing listing = lister(5).list(ImageReference.parse(registry.host() + "/team/paged"));

    assertThat(listing.tags()).containsExactlyInAnyOrderElementsOf(pushed);
    // Asked for 5 a page, docker-registry 2.8 sends all 23 at once and no next link.
    assertThat(listing.requests()).isEqualTo(1);
    assertThat(listing.digests()).isEmpty();
  }

  @Test
  void aRepositoryARealRegistryDoesNotKnowIsNotFound() {
    assertThatThrownBy(() -> lister(5).list(ImageReference.parse(registry.host() + "/team/none")))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isNotFound()).isTrue())
        .hasMessageContaining("team/none");
  }

  @Test
  void listsAnEcrRepositoryWithDigestsThroughTheEcrApi() {
    ecr.createRepository(b -> b.repositoryName("mirror/listed"));
    // moto re-serializes what PutImage sends, so the digests it reports are its own: the test
    // checks that every tag comes with one, and that tags of one image share it (moto 5.2.1 gives
    // these two small manifests the same digest, so no inequality is asserted).
    String one = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
        + MediaTypes.OCI_CONFIG + "\",\"digest\":\"sha256:" + "1".repeat(64) + "\",\"size\":2},\"layers\":[]}";
    String two = one.replace("1".repeat(64), "2".repeat(64));
    put("mirror/listed", one, "1.0");
    put("mirror/listed", two, "1.1");
    put("mirror/listed", two, "latest");

    TagLister.Listing listing = lister(5).list(
        ImageReference.parse("123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror/listed"));

    assertThat(listing.tags()).containsExactlyInAnyOrder("1.0", "1.1", "latest");
    assertThat(listing.digests()).containsOnlyKeys("1.0", "1.1", "latest");
    assertThat(listing.digests().get("1.1")).isEqualTo(listing.digests().get("latest"));
    assertThat(listing.requests()).isEqualTo(1);
  }

  @Test
  void aMissingEcrRepositoryIsNotFoundNamingIt() {
    assertThatThrownBy(() -> lister(5).list(ImageReference.parse("123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror/none")))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.isNotFound()).isTrue())
        .hasMessageContaining("ECR repository mirror/none in account 123456789012 (us-east-1) does not exist");
  }

  private static void put(String repository, String manifest, String tag) {
    ecr.putImage(b -> b.repositoryName(repository).imageManifest(manifest).imageTag(tag)
        .imageManifestMediaType(MediaTypes.OCI_MANIFEST));
  }
}
