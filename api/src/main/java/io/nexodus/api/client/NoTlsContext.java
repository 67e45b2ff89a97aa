package io.nexodus.api.client;

import java.net.http.HttpClient;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The TLS side of an HTTP client that only ever speaks plain HTTP. Without an SSL context of its own, the JDK's
 * HTTP client builds the default one when it is created, reading and parsing the whole trust store: about 0.2 s of
 * CPU, most of a short {@code nexctl} call against an {@code http://} service. This context costs nothing and
 * refuses every use, so a client configured with it can never open a TLS connection by accident.
 */
final class NoTlsContext extends SSLContext {
    private NoTlsContext() {
        super(new Refusing(), null, "none");
    }

    /** Configures {@code builder} for a client that sends only {@code http://} requests. */
    static HttpClient.Builder plainHttpOnly(HttpClient.Builder builder) {
        // explicit parameters, or the client asks the context for its defaults when it is built
        return builder.sslContext(new NoTlsContext()).sslParameters(new SSLParameters());
    }

    private static final class Refusing extends SSLContextSpi {
        private static IllegalStateException refused() {
            return new IllegalStateException("this HTTP client speaks only plain HTTP (an http:// service URL)");
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) {
            throw refused();
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            throw refused();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            throw refused();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            throw refused();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            throw refused();
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            throw refused();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            throw refused();
        }
    }
}
