package dev.ecrmirror.worker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;

/**
 * A TCP pass-through on loopback in front of a TLS server, which counts the connections it is given
 * and reads the plaintext start of each one's TLS handshake to tell a full handshake from a resumed
 * one. Bytes pass both ways unchanged; nothing is decrypted. It is a stub because nothing real
 * tells these things: docker-registry reports no connections, and the JDK's
 * {@code HttpsURLConnection} does not say whether a connection's TLS session was resumed.
 *
 * <p>TLS 1.3 (RFC 8446 section 4.2.11): a client offering to resume sends the {@code pre_shared_key}
 * extension (type 41) in its ClientHello, and a server that accepts answers with it in its
 * ServerHello; a HelloRetryRequest (a ServerHello with a fixed random) decides nothing, the
 * ServerHello after it does. TLS 1.2 (RFC 5246 section 7.3, RFC 5077 section 3.1): after its
 * ServerHello a server sends its Certificate in a full handshake, and changes cipher at once when it
 * resumes (a client offers to by a session id or a session ticket, extension 35).
 */
final class HandshakeCountingProxy implements AutoCloseable {

  /** What one connection's handshake turned out to be. */
  enum Outcome {
    /** A new session: certificates and key exchange. */
    FULL,
    /** An earlier session taken up again: no certificate sent. */
    RESUMED,
    /** No ServerHello was seen (the connection closed before, or it did not speak TLS). */
    UNSEEN
  }

  /**
   * One accepted connection.
   *
   * @param version the version the ServerHello chose, such as {@code TLSv1.3}; empty while unseen
   * @param offered whether the ClientHello offered to resume a session by a pre-shared key or a session
 *     ticket (not told for a TLS 1.2 session id: TLS 1.3 clients send one too)
   */
  record Handshake(String version, boolean offered, Outcome outcome) {}

  /** Connections, and their handshakes by outcome and by the versions they chose. */
  record Counts(int connections, int full, int resumed, Set<String> versions) {
    static Counts of(List<Handshake> handshakes) {
      return new Counts(handshakes.size(), (int) handshakes.stream().filter(h -> h.outcome() == Outcome.FULL).count(),
          (int) handshakes.stream().filter(h -> h.outcome() == Outcome.RESUMED).count(),
          Set.copyOf(handshakes.stream().map(Handshake::version).filter(v -> !v.isEmpty()).toList()));
    }
  }

  private static final int CLIENT_HELLO = 1;
  private static final int SERVER_HELLO = 2;
  private static final int CERTIFICATE = 11;
  private static final int SESSION_TICKET = 35;
  private static final int PRE_SHARED_KEY = 41;
  private static final int SUPPORTED_VERSIONS = 43;
  private static final int CHANGE_CIPHER_SPEC_RECORD = 20;
  private static final int HANDSHAKE_RECORD = 22;
  private static final int APPLICATION_DATA_RECORD = 23;
  /** More plaintext than any hello needs: a stream that has shown no hello by then never will. */
  private static final int SNIFF_LIMIT = 64 * 1024;
  /** SHA-256 of "HelloRetryRequest", the random of a ServerHello that is a HelloRetryRequest (RFC 8446 section 4.1.3). */
  private static final byte[] HELLO_RETRY_RANDOM = bytes(0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D,
      0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8,
      0xA8, 0x33, 0x9C);

  private final int upstreamPort;
  private final LoopbackAcceptor acceptor;
  private final List<Connection> connections = new CopyOnWriteArrayList<>();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();

  /** Listens on a free loopback port and passes every connection on to {@code upstreamPort} on loopback. */
  HandshakeCountingProxy(int upstreamPort) throws IOException {
    this.upstreamPort = upstreamPort;
    this.acceptor = LoopbackAcceptor.start(this::serve);
  }

  int port() {
    return acceptor.port();
  }

  /** The handshakes of the connections accepted so far, after the first {@code skip}, in the order they were accepted. */
  List<Handshake> handshakesAfter(int skip) {
    List<Handshake> all = connections.stream().map(Connection::handshake).toList();
    return all.subList(Math.min(skip, all.size()), all.size());
  }

  /** How many connections were accepted so far. */
  int accepted() {
    return connections.size();
  }

  private void serve(Socket client) {
    Connection connection = new Connection();
    connections.add(connection);
    open.add(client);
    Socket up = null;
    try (client) {
      up = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
      open.add(up);
      Socket upstream = up;
      Future<Void> back = acceptor.submit(() -> pump(upstream, client, connection.server));
      pump(client, up, connection.client);
      back.get();
    } catch (Exception e) {
      // Either side went away; the other is closed with it.
    } finally {
      open.remove(client);
      if (up != null) {
        open.remove(up);
        try {
          up.close();
        } catch (IOException e) {
          // Already closed.
        }
      }
    }
  }

  /** Copies {@code from} to {@code to} until end of stream, showing the first bytes to {@code sniffer}. */
  private Void pump(Socket from, Socket to, Sniffer sniffer) throws IOException {
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      byte[] buffer = new byte[16 * 1024];
      int n;
      while ((n = in.read(buffer)) > 0) {
        // Seen before it is passed on: the client's hello is read before the server can answer it.
        sniffer.feed(buffer, n);
        out.write(buffer, 0, n);
        out.flush();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      from.close();
      to.close();
    }
    return null;
  }

  /** One connection: its two directions' first handshake messages, read as they pass. */
  private static final class Connection {
    private volatile boolean offered;
    private volatile String version = "";
    private volatile Outcome outcome = Outcome.UNSEEN;

    /** The client's side: whether its ClientHello offers to resume; done at its first change of cipher. */
    final Sniffer client = new Sniffer() {
      @Override
      boolean message(int type, ByteBuffer body) {
        if (type != CLIENT_HELLO) {
          return true;
        }
        body.position(body.position() + 2 + 32); // legacy_version, random
        vector(body, 1); // legacy_session_id
        vector(body, 2); // cipher suites
        vector(body, 1); // compression methods
        Map<Integer, byte[]> extensions = extensions(body);
        byte[] ticket = extensions.get(SESSION_TICKET);
        offered |= extensions.containsKey(PRE_SHARED_KEY) || (ticket != null && ticket.length > 0);
        return false; // a second ClientHello follows a HelloRetryRequest
      }

      @Override
      boolean changeCipherSpec() {
        return true;
      }
    };

    /** The server's side: the ServerHello, and in TLS 1.2 whether a Certificate or a change of cipher follows it. */
    final Sniffer server = new Sniffer() {
      @Override
      boolean message(int type, ByteBuffer body) {
        if (type == CERTIFICATE && !version.isEmpty()) {
          outcome = Outcome.FULL;
          return true;
        }
        if (type != SERVER_HELLO) {
          return false;
        }
        int legacyVersion = body.getShort() & 0xffff;
        byte[] random = new byte[32];
        body.get(random);
        if (Arrays.equals(random, HELLO_RETRY_RANDOM)) {
          return false;
        }
        vector(body, 1); // legacy_session_id_echo
        body.position(body.position() + 2 + 1); // cipher suite, compression method
        Map<Integer, byte[]> extensions = extensions(body);
        byte[] chosen = extensions.get(SUPPORTED_VERSIONS);
        if (chosen != null && chosen.length == 2 && chosen[0] == 3 && chosen[1] == 4) {
          version = "TLSv1.3";
          outcome = extensions.containsKey(PRE_SHARED_KEY) ? Outcome.RESUMED : Outcome.FULL;
          return true;
        }
        version = legacyVersion == 0x0303 ? "TLSv1.2" : String.format("0x%04x", legacyVersion);
        return false; // a Certificate next, or a change of cipher at once
      }

      @Override
      boolean changeCipherSpec() {
        if (version.isEmpty()) {
          return false; // TLS 1.3's compatibility record after a HelloRetryRequest
        }
        outcome = Outcome.RESUMED;
        return true;
      }
    };

    Handshake handshake() {
      return new Handshake(version, offered, outcome);
    }
  }

  /**
   * Reads the TLS records at the start of one direction as they pass, and gives each whole
   * handshake message and each change of cipher to the subclass, until it says it has seen enough
   * or the stream turns to encrypted application data.
   */
  private abstract static class Sniffer {
    private final ByteArrayOutputStream records = new ByteArrayOutputStream();
    private final ByteArrayOutputStream handshake = new ByteArrayOutputStream();
    private long fed;
    private boolean done;

    /** Reads one handshake message; true when nothing after it matters. */
    abstract boolean message(int type, ByteBuffer body);

    /** A ChangeCipherSpec record; true when nothing after it matters. */
    abstract boolean changeCipherSpec();

    final void feed(byte[] bytes, int length) {
      if (done) {
        return;
      }
      records.write(bytes, 0, length);
      fed += length;
      try {
        done = readRecords() || fed > SNIFF_LIMIT;
      } catch (RuntimeException e) {
        done = true; // not TLS as expected: the handshake stays unseen
      }
    }

    /** Reads the whole records buffered; keeps the start of an unfinished one. */
    private boolean readRecords() {
      ByteBuffer in = ByteBuffer.wrap(records.toByteArray());
      try {
        while (in.remaining() >= 5 && in.remaining() >= 5 + (in.getShort(in.position() + 3) & 0xffff)) {
          int type = in.get() & 0xff;
          in.getShort(); // record version
          byte[] body = new byte[in.getShort() & 0xffff];
          in.get(body);
          if (type == APPLICATION_DATA_RECORD || (type == CHANGE_CIPHER_SPEC_RECORD && changeCipherSpec())) {
            return true;
          }
          if (type == HANDSHAKE_RECORD) {
            handshake.writeBytes(body);
            if (readMessages()) {
              return true;
            }
          }
        }
        return false;
      } finally {
        records.reset();
        records.write(in.array(), in.position(), in.remaining());
      }
    }

    /** Reads the whole handshake messages buffered (one may span records); keeps the start of an unfinished one. */
    private boolean readMessages() {
      ByteBuffer in = ByteBuffer.wrap(handshake.toByteArray());
      try {
        while (in.remaining() >= 4 && in.remaining() >= 4 + (in.getInt(in.position()) & 0xffffff)) {
          int header = in.getInt();
          ByteBuffer body = in.slice(in.position(), header & 0xffffff);
          in.position(in.position() + body.remaining());
          if (message(header >>> 24, body)) {
            return true;
          }
        }
        return false;
      } finally {
        handshake.reset();
        handshake.write(in.array(), in.position(), in.remaining());
      }
    }
  }

  /** A vector with a length prefix of {@code lengthBytes} bytes. */
  private static byte[] vector(ByteBuffer in, int lengthBytes) {
    int length = lengthBytes == 1 ? in.get() & 0xff : in.getShort() & 0xffff;
    byte[] value = new byte[length];
    in.get(value);
    return value;
  }

  /** A hello's extensions by type, in the order sent; none when it has no extensions block. */
  private static Map<Integer, byte[]> extensions(ByteBuffer in) {
    Map<Integer, byte[]> extensions = new LinkedHashMap<>();
    ByteBuffer block = ByteBuffer.wrap(in.hasRemaining() ? vector(in, 2) : new byte[0]);
    while (block.remaining() >= 4) {
      int type = block.getShort() & 0xffff;
      extensions.put(type, vector(block, 2));
    }
    return extensions;
  }

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  /** Closes every connection open now, as a registry or load balancer does with idle ones; new ones are still taken. */
  void hangUp() {
    for (Socket socket : open) {
      try {
        socket.close();
      } catch (IOException e) {
        // Already closed.
      }
    }
  }

  @Override
  public void close() {
    acceptor.close();
    hangUp();
  }
}
