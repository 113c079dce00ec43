package dev.ecrmirror.common.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.ref.ImageReference;
import org.junit.jupiter.api.Test;

/** Which registry hosts count as this machine, and so are reached over plain HTTP. */
class LoopbackTest {

  @Test
  void localhostAndLoopbackLiteralsAreLoopback() {
    assertThat(Loopback.isLoopback("localhost")).isTrue();
    assertThat(Loopback.isLoopback("LocalHost")).isTrue();
    assertThat(Loopback.isLoopback("127.0.0.1")).isTrue();
    assertThat(Loopback.isLoopback("127.0.0.2")).as("all of 127/8 is loopback").isTrue();
    assertThat(Loopback.isLoopback("::1")).isTrue();
    assertThat(Loopback.isLoopback("[::1]")).isTrue();
    assertThat(Loopback.isLoopback("0:0:0:0:0:0:0:1")).isTrue();
  }

  @Test
  void namesThatOnlyLookLikeLoopbackAreNot() {
    // The old prefix test sent these over plain HTTP, logins included.
    assertThat(Loopback.isLoopback("127.example.com")).isFalse();
    assertThat(Loopback.isLoopback("127.0.0.1.nip.io")).isFalse();
    assertThat(Loopback.isLoopback("localhost.example.com")).isFalse();
    assertThat(Loopback.isLoopback("10.0.0.1")).isFalse();
    assertThat(Loopback.isLoopback("::2")).isFalse();
  }

  @Test
  void aNameIsNeverLookedUpSoOneThatDoesNotResolveIsSimplyNotLoopback() {
    assertThat(Loopback.isLoopback("no-such-host.invalid")).isFalse();
    assertThat(Loopback.isLoopback("999.1.1.1")).isFalse();
    assertThat(Loopback.isLoopback("::1:zz")).isFalse();
    assertThat(Loopback.isLoopback("")).isFalse();
  }

  @Test
  void theClientUsesPlainHttpOnlyForLoopbackHosts() {
    RegistryClient client = new RegistryClient(RegistryOptions.defaults());
    assertThat(client.base(ImageReference.parse("localhost:5000/a")).getScheme()).isEqualTo("http");
    assertThat(client.base(ImageReference.parse("127.0.0.2:5000/a")).getScheme()).isEqualTo("http");
    assertThat(client.base(ImageReference.parse("[::1]:5000/a")).getScheme()).isEqualTo("http");
    assertThat(client.base(ImageReference.parse("127.example.com/a")).getScheme()).isEqualTo("https");
  }
}
