package dev.ecrmirror.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecrmirror.common.aws.RepositorySettings;
import dev.ecrmirror.common.ref.ImageReference;
import dev.ecrmirror.common.registry.RegistryClient;
import dev.ecrmirror.common.registry.RegistryOptions;
import dev.ecrmirror.common.registry.RegistryTls;
import dev.ecrmirror.common.testing.LocalRegistries;
import dev.ecrmirror.common.testing.LocalRegistry;
import dev.ecrmirror.common.testing.RegistryContents;
import dev.ecrmirror.common.testing.TestCertificates;
import dev.ecrmirror.common.testing.TestHostsResolver;
import dev.ecrmirror.common.testing.TestImages;
import dev.ecrmirror.worker.HandshakeCountingProxy.Counts;
import dev.ecrmirror.worker.HandshakeCountingProxy.Handshake;
import dev.ecrmirror.worker.HandshakeCountingProxy.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections to a registry are kept and used again across blobs and images, and a TLS session
 * outlives its connections. The source is a real docker-registry serving HTTPS with a certificate
 * made for the test, trusted through a certs.d directory and reached by a test host name; the
 * destination is a plain one. Between the worker and each sits a pass-through proxy that counts the
 * connections the worker opens and, for TLS, whether each handshake was full or resumed a session.
 *
 * <p>What holds, and is asserted: the connections to a host number about as many as requests run at
 * once, not as blobs copied. The JDK uses a TLS 1.3 session ticket once (as RFC 8446 appendix C.4
 * advises) and docker-registry issues one per connection, so of connections opened at the same
 * moment only as many resume as tickets are held (one with JDK 21, which keeps one per host; more
 * from JDK 24 on), and the others make a full handshake. A full TLS 1.3 handshake takes no more round
 * trips than a resumed one (one each); it costs the certificate and its checks.
 */
class ConnectionReuseIT {
  private static final String HOST = TestHostsResolver.host("reuse");
  private static final AtomicInteger REPO = new AtomicInteger();
  private static final long MIB = 1024 * 1024;
  private static final int JOBS = 4;
  private static final int RANGES = 4;
  /** Blobs of 3 MiB and up in ranges of 1 MiB, 4 in flight: a 6 MiB layer is read as 6 ranges or more. */
  private static final RangedReads RANGED = new RangedReads(3 * MIB, RANGES, MIB);

  /** The plain registry the fixtures are built in, and the plain destination. */
  @RegisterExtension
  static LocalRegistries registries = new LocalRegistries(2);

  @TempDir
  static Path dir;

  private static LocalRegistry source;
  private static Path certsD;
  private HandshakeCountingProxy toSource;
  private HandshakeCountingProxy toDestination;

  @BeforeAll
  static void startSource() throws Exception {
    TestCertificates.Issued certificate = TestCertificates.server(dir.resolve("keys"), HOST);
    certsD = dir.resolve("certs.d");
    // The host's directory without a port: it covers the registry's port and the proxy's alike.
    Files.copy(certificate.certificate(), Files.createDirectories(certsD.resolve(HOST)).resolve("ca.crt"));
    source = LocalRegistry.startTls(certificate.certificate(), certificate.key());
  }

  @AfterAll
  static void stopSource() {
    if (source != null) {
      source.close();
    }
  }

  @BeforeEach
  void startProxies() throws Exception {
    toSource = new HandshakeCountingProxy(source.port());
    toDestination = new HandshakeCountingProxy(destination().port());
  }

  @AfterEach
  void stopProxies() {
    toSource.close();
    toDestination.close();
  }

  private static LocalRegistry origin() {
    return registries.get(0);
  }

  private static LocalRegistry destination() {
    return registries.get(1);
  }

  /** An engine with a client of its own: its own TLS contexts, so its own session cache. */
  private static MirrorEngine engine() {
    RegistryClient client = new RegistryClient(RegistryOptions.defaults().withTls(RegistryTls.fromDirectories(List.of(certsD))));
    return MirrorEngines.build(client, new MirrorEngines.Settings(JOBS, 3, MirrorEngine.DEFAULT_READ_TIMEOUT, false,
        RepositorySettings.none(), RANGED), MirrorEngineTesting.NO_ECR);
  }

  private static MirrorReport copy(MirrorEngine engine, String from, String to) {
    MirrorReport report = engine.mirror(new MirrorRequest(ImageReference.parse(from), List.of(ImageReference.parse(to)),
        List.of(), false));
    assertThat(report.allOk()).as(report.toString()).isTrue();
    return report;
  }

  /**
   * A fresh image of {@code layers} layers of about {@code layerSize} bytes and a config, built in
   * the plain origin and copied from there into the TLS source directly, not through the proxy.
   */
  private static String fixture(int layers, int layerSize) {
    String repo = "reuse/app" + REPO.incrementAndGet();
    TestImages images = new TestImages(origin().baseUri(), 500 + REPO.get());
    images.tag(repo, "1", images.image(repo, "linux", "amd64", "", true, layers, layerSize));
    copy(engine(), origin().host() + "/" + repo + ":1", HOST + ":" + source.port() + "/" + repo + ":1");
    return repo;
  }

  /** What the proxies saw during one copy: the source's handshakes in the order accepted, and the destination's connections. */
  private record Seen(List<Handshake> handshakes, Counts source, Counts destination) {}

  /** Copies the fixture from the source to the destination, both through their proxies; byte-exact. */
  private Seen copyThroughProxies(MirrorEngine engine, String repo) {
    int sourceBefore = toSource.accepted();
    int destinationBefore = toDestination.accepted();
    copy(engine, HOST + ":" + toSource.port() + "/" + repo + ":1", "127.0.0.1:" + toDestination.port() + "/" + repo + ":1");
    assertThat(RegistryContents.differences(origin().baseUri(), repo, destination().baseUri(), repo, "1")).isEmpty();
    List<Handshake> handshakes = toSource.handshakesAfter(sourceBefore);
    return new Seen(handshakes, Counts.of(handshakes), Counts.of(toDestination.handshakesAfter(destinationBefore)));
  }

  /** Every connection to the source spoke TLS 1.3, and was either a full handshake or a resumed session. */
  private static void assertEveryHandshakeSeen(Seen seen) {
    assertThat(seen.source().versions()).as(seen.toString()).containsExactly("TLSv1.3");
    assertThat(seen.source().full() + seen.source().resumed()).as(seen.toString()).isEqualTo(seen.source().connections());
  }

  @Test
  void manySmallBlobsShareAboutAsManyConnectionsAsBlobsCopiedAtOnce() {
    String repo = fixture(29, 20_000);

    Seen seen = copyThroughProxies(engine(), repo);

    assertEveryHandshakeSeen(seen);
    assertThat(seen.source().connections()).as("30 blobs, %d at once: %s", JOBS, seen).isBetween(2, JOBS);
    assertThat(seen.destination().connections()).as("30 uploads, %d at once: %s", JOBS, seen).isBetween(1, JOBS);
    // The first connection's session, resumed by one opened after it.
    assertThat(seen.source().resumed()).as(seen.toString()).isPositive();
  }

  @Test
  void aLargeBlobReadInRangesTakesOneConnectionPerRangeInFlight() {
    String repo = fixture(1, (int) (6 * MIB));

    Seen seen = copyThroughProxies(engine(), repo);

    assertEveryHandshakeSeen(seen);
    // The ranges in flight, and one more for the config blob read beside them.
    assertThat(seen.source().connections()).as("6 ranges or more, %d at once: %s", RANGES, seen).isBetween(RANGES, RANGES + 1);
    assertThat(seen.source().resumed()).as(seen.toString()).isPositive();
  }

  @Test
  void aSecondCopyByTheSameEngineUsesTheConnectionsTheFirstLeftOpen() {
    String large = fixture(1, (int) (6 * MIB));
    String small = fixture(29, 20_000);
    MirrorEngine engine = engine();

    Seen first = copyThroughProxies(engine, large);
    Seen second = copyThroughProxies(engine, small);

    assertThat(first.source().connections()).as("the ranges in flight: %s", first).isGreaterThanOrEqualTo(RANGES);
    assertThat(second.source().connections()).as("no connection opened, no handshake: %s", second).isZero();
  }

  @Test
  void theSessionOutlivesConnectionsTheRegistryClosed() {
    String first = fixture(9, 20_000);
    String second = fixture(29, 20_000);
    MirrorEngine engine = engine();

    copyThroughProxies(engine, first);
    toSource.hangUp();
    Seen again = copyThroughProxies(engine, second);

    assertEveryHandshakeSeen(again);
    assertThat(again.source().connections()).as(again.toString()).isBetween(1, JOBS);
    // The manifest is read first, alone: its new connection takes up the session the first copy set up.
    assertThat(again.handshakes().getFirst().outcome()).as("the first connection after the hang-up: %s", again)
        .isEqualTo(Outcome.RESUMED);
  }
}
