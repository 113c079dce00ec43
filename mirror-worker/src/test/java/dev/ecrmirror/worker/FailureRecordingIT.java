package dev.ecrmirror.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryOptions;
import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.RegistryContents;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.worker.DestinationResult.Status;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A destination whose step fails with an exception that carries no message is reported failed,
 * with the exception's type as the reason, and the other destination is copied as usual.
 */
class FailureRecordingIT {
  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(3);

  @Test
  void aFailureWithoutAMessageStillFailsItsDestination() {
    String src = registries.get(0).host();
    new TestImages(registries.get(0).baseUri(), 91).ociIndex("quiet/app", "1", List.of("linux/amd64"), 1, 2_000);
    ImageReference broken = ImageReference.parse(registries.get(1).host() + "/quiet/app:1");
    ImageReference fine = ImageReference.parse(registries.get(2).host() + "/quiet/app:1");
    // The set-up step (ECR repository creation, in production) throws a bare exception for one destination.
    MirrorEngine engine = MirrorEngines.build(new RegistryClient(RegistryOptions.defaults().withRetryTimes(0)),
        MirrorEngines.Settings.defaults(4), MirrorEngineTesting.NO_ECR)
        .withDestinationSetup(ref -> {
          if (ref.registry().equals(broken.registry())) {
            throw new NullPointerException();
          }
        });

    MirrorReport report = engine.mirror(new MirrorRequest(ImageReference.parse(src + "/quiet/app:1"),
        List.of(broken, fine), List.of(), false));

    DestinationResult failed = report.destinations().get(0);
    assertThat(failed.status()).isEqualTo(Status.FAILED);
    assertThat(failed.ok()).isFalse();
    assertThat(failed.error()).contains("NullPointerException");
    assertThat(RegistryContents.manifest(registries.get(1).baseUri(), "quiet/app", "1")).as("nothing tagged").isEmpty();
    assertThat(report.destinations().get(1).status()).isEqualTo(Status.COPIED);
  }
}
