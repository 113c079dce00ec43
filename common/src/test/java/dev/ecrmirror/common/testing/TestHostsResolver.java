package dev.ecrmirror.common.testing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Resolves every name under {@code .test} (reserved for testing, RFC 2606) to 127.0.0.1 in test
 * JVMs, and every other name as the JDK would. Tests can so reach a loopback registry by a name,
 * which the client treats as a remote host (HTTPS, certificates checked against the name). Found
 * by the JDK through {@code META-INF/services} (JEP 418) on the test class path.
 */
public final class TestHostsResolver extends InetAddressResolverProvider {
  /** A name that resolves to loopback in tests: {@code NAME.test}. */
  public static String host(String name) {
    return name + ".test";
  }

  @Override
  public InetAddressResolver get(Configuration configuration) {
    InetAddressResolver builtin = configuration.builtinResolver();
    return new InetAddressResolver() {
      @Override
      public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
        if (host.toLowerCase(Locale.ROOT).endsWith(".test")) {
          return Stream.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}));
        }
        return builtin.lookupByName(host, policy);
      }

      @Override
      public String lookupByAddress(byte[] addr) throws UnknownHostException {
        return builtin.lookupByAddress(addr);
      }
    };
  }

  @Override
  public String name() {
    return "ecr-mirror test hosts";
  }
}
