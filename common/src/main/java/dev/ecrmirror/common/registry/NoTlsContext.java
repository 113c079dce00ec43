package dev.ecrmirror.common.registry;

import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * A TLS context that is never set up, for the plain-HTTP client: building an HTTP client with the
 * default context loads the TLS provider and parses the whole CA keystore, which a run that talks
 * only to loopback or insecure registries never uses. Any use of it is a bug, and says so.
 */
final class NoTlsContext extends SSLContext {
  NoTlsContext() {
    super(new SSLContextSpi() {
      @Override
      protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) {
        throw new UnsupportedOperationException("plain HTTP client");
      }

      @Override
      protected SSLSocketFactory engineGetSocketFactory() {
        throw new UnsupportedOperationException("plain HTTP client");
      }

      @Override
      protected SSLServerSocketFactory engineGetServerSocketFactory() {
        throw new UnsupportedOperationException("plain HTTP client");
      }

      @Override
      protected SSLEngine engineCreateSSLEngine() {
        throw new UnsupportedOperationException("plain HTTP client");
      }

      @Override
      protected SSLEngine engineCreateSSLEngine(String host, int port) {
        throw new UnsupportedOperationException("plain HTTP client");
      }

      @Override
      protected SSLSessionContext engineGetServerSessionContext() {
        throw new UnsupportedOperationException("plain HTTP client");
      }

      @Override
      protected SSLSessionContext engineGetClientSessionContext() {
        throw new UnsupportedOperationException("plain HTTP client");
      }
    }, null, "none");
  }
}
