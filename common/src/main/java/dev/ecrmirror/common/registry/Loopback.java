package dev.ecrmirror.common.registry;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The one test of whether a registry host is this machine, and so reached over plain HTTP: the
 * name {@code localhost}, or an IP literal ({@code 127.0.0.2}, {@code ::1}, {@code [::1]}) that
 * {@link InetAddress#isLoopbackAddress()} calls loopback.
 *
 * <p>Other names are not looked up, even when they resolve to a loopback address: what a name
 * resolves to can change between this check and the connection (DNS rebinding), and a login sent
 * in clear to a name must never depend on it. A name served over loopback with a certificate (a
 * test host, a local proxy) so keeps its TLS. {@code localhost} alone is trusted by name: RFC 6761
 * section 6.3 reserves it for the loopback interface.
 */
public final class Loopback {
  private Loopback() {}

  /**
   * True when {@code host} (a host name or IP literal, with or without IPv6 brackets, without a
   * port) is this machine. Never throws and never asks DNS.
   */
  public static boolean isLoopback(String host) {
    if (host == null || host.isEmpty()) {
      return false;
    }
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    String lower = h.toLowerCase(Locale.ROOT);
    if (lower.equals("localhost") || lower.equals("localhost.")) {
      return true;
    }
    if (!isLiteral(lower)) {
      return false;
    }
    try {
      // A literal is parsed, never looked up.
      return InetAddress.getByName(lower).isLoopbackAddress();
    } catch (UnknownHostException | SecurityException e) {
      return false;
    }
  }

  /** Dotted-quad IPv4 with every part 0-255, or hex digits, colons and dots (IPv6): what the JDK parses without DNS. */
  private static boolean isLiteral(String host) {
    if (host.contains(":")) {
      return host.matches("[0-9a-f:.]+");
    }
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3 || Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }
}
