package dev.ecrmirror.controller.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecrmirror.common.ref.ImageReference;
import org.junit.jupiter.api.Test;

class PushEventTest {
  static final String PUSH = """
      {"version":"0","detail-type":"ECR Image Action","source":"aws.ecr","account":"123456789012","region":"eu-west-1",
       "detail":{"result":"SUCCESS","repository-name":"team/app","image-digest":"sha256:%s","action-type":"PUSH","image-tag":"1.2"}}
      """.formatted("a".repeat(64));

  @Test
  void aPushTouchesRowsWhoseSourceIsThatImage() {
    PushEvent event = PushEvent.parse(PUSH).orElseThrow();
    assertThat(event.registry()).isEqualTo("123456789012.dkr.ecr.eu-west-1.amazonaws.com");
    assertThat(event.touches(ImageReference.parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.2"))).isTrue();
    assertThat(event.touches(ImageReference.parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.3"))).isFalse();
    assertThat(event.touches(ImageReference.parse("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:1.2"))).isFalse();
    assertThat(event.touches(ImageReference.parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app@sha256:" + "a".repeat(64))))
        .isFalse();
  }

  @Test
  void aPushInChinaTouchesRowsOnTheChinaRegistryHost() {
    PushEvent event = PushEvent.parse(PUSH.replace("\"eu-west-1\"", "\"cn-north-1\"")).orElseThrow();
    assertThat(event.registry()).isEqualTo("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn");
    assertThat(event.touches(ImageReference.parse("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/team/app:1.2"))).isTrue();
  }

  @Test
  void aTaggedPushTouchesRepositoryRowsOfThatRepository() {
    PushEvent event = PushEvent.parse(PUSH).orElseThrow();
    assertThat(event.touchesRepository(ImageReference.parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app"))).isTrue();
    assertThat(event.touchesRepository(ImageReference.parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/other"))).isFalse();
    PushEvent untagged = PushEvent.parse(PUSH.replace(",\"image-tag\":\"1.2\"", "")).orElseThrow();
    assertThat(untagged.touchesRepository(ImageReference.parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app"))).isFalse();
  }

  @Test
  void otherEventsNeedNoWorkAndGarbageIsRejected() {
    assertThat(PushEvent.parse(PUSH.replace("\"PUSH\"", "\"DELETE\""))).isEmpty();
    assertThat(PushEvent.parse(PUSH.replace("\"SUCCESS\"", "\"FAILURE\""))).isEmpty();
    assertThatThrownBy(() -> PushEvent.parse("hello")).hasMessageContaining("not JSON");
    assertThatThrownBy(() -> PushEvent.parse("{\"detail\":{}}")).hasMessageContaining("not an ECR image event");
  }
}
