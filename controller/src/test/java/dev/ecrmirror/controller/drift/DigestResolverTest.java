package dev.ecrmirror.controller.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryOptions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DigestResolverTest {
  @Test
  void anEcrLookupThatFailsUnexpectedlyIsRecordedOnItsReferencesWithTheReason() {
    ImageReference ref = ImageReference.parse("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:1");
    EcrDigests ecr = new EcrDigests(region -> {
      throw new IllegalStateException("no ECR client for " + region);
    });
    DigestResolver resolver = new DigestResolver(new RegistryClient(RegistryOptions.defaults()), Optional.of(ecr), 2);

    Map<ImageReference, Lookup> out = resolver.resolve(List.of(ref));

    assertThat(out.get(ref)).isInstanceOfSatisfying(Lookup.Failed.class,
        f -> assertThat(f.error()).contains("team/app", "no ECR client for us-east-1"));
  }
}
