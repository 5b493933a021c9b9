package io.gantry.client.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Why a call never reached a Gantry server, in one sentence with the likely fix, found by probing the address the
 * way a person would: does the name resolve, does anything listen, does it answer HTTP/1, does it speak TLS, is its
 * certificate trusted. gRPC's own status for these ("io exception", "Network closed for unknown reason", "General
 * OpenSslEngine problem", "First received frame was not SETTINGS") says none of it.
 */
final class ConnectionDiagnosis {

  /** What was found: the exit code and the sentence for stderr. */
  record Finding(ExitCode exitCode, String message) {}

  private static final int TIMEOUT_MILLIS = 3_000;
  private static final byte SETTINGS = 4;
  private static final String DEFAULT_PORT = "the gRPC port is " + CommonOptions.DEFAULT_PORT + " by default";

  private final String host;
  private final int port;
  private final boolean tls;
  private final Path caFile;

  /** @param tls whether the call spoke TLS; @param caFile the authorities it trusted, null: the system's */
  ConnectionDiagnosis(String host, int port, boolean tls, Path caFile) {
    this.host = host;
    this.port = port;
    this.tls = tls;
    this.caFile = caFile;
  }

  /** What keeps the CLI from the server at this address, or empty when the address answers as one would. */
  Optional<Finding> diagnose() {
    String address = host + ":" + port;
    try {
      InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      return setup("the host name '" + host + "' does not resolve: check --target (GANTRY_TARGET)");
    }
    try {
      connect().close(); // something listens
    } catch (ConnectException e) {
      return Optional.of(new Finding(ExitCode.UNAVAILABLE, "nothing is listening on " + address
          + ": start the server, or check --target (GANTRY_TARGET; " + DEFAULT_PORT + ")"));
    } catch (SocketTimeoutException e) {
      return Optional.of(new Finding(ExitCode.UNAVAILABLE, address + " does not answer within "
          + TIMEOUT_MILLIS / 1000 + " s: check --target and that no firewall drops the port"));
    } catch (IOException e) {
      return Optional.empty();
    }
    if (answersHttp1()) {
      return setup(address + " is an HTTP server, not Gantry's gRPC port: check --target (" + DEFAULT_PORT + ")");
    }
    Optional<TlsHello> hello = tlsHello();
    if (hello.isPresent() && (!"h2".equals(hello.get().protocol()) || selectsHttp1OverTls())) {
      // gRPC over TLS agrees on HTTP/2 in the handshake; a web server over TLS does not, or also speaks HTTP/1.1
      return setup(address + " is an HTTPS server, not Gantry's gRPC port: check --target (" + DEFAULT_PORT + ")");
    }
    Optional<X509Certificate> certificate = hello.map(TlsHello::certificate);
    if (certificate.isEmpty()) {
      if (tls) {
        return setup(address + " does not speak TLS: drop --tls, --ca-file and --cert (and GANTRY_TLS, GANTRY_CA_FILE, "
            + "GANTRY_CERT_FILE), or check --target");
      }
      return answersHttp2() ? Optional.empty()
          : setup(address + " answers, but not as a gRPC server: check --target (" + DEFAULT_PORT + ")");
    }
    if (!tls) {
      return setup("the server at " + address + " speaks TLS: add --tls (or --ca-file PEM when a private authority "
          + "issued its certificate)");
    }
    return untrusted().map(reason -> new Finding(ExitCode.SETUP, "the certificate of " + address + " ("
        + certificate.get().getSubjectX500Principal().getName() + ", issued by "
        + certificate.get().getIssuerX500Principal().getName() + ") is not trusted: " + reason
        + "; add --ca-file PEM with the authority that issued it"));
  }

  private static Optional<Finding> setup(String message) {
    return Optional.of(new Finding(ExitCode.SETUP, message));
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
      socket.setSoTimeout(TIMEOUT_MILLIS);
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  /** Whether the port answers a plain HTTP/1.1 request in kind; a gRPC port answers it with an HTTP/2 GOAWAY. */
  private boolean answersHttp1() {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(("HEAD / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      byte[] start = socket.getInputStream().readNBytes(7);
      return new String(start, StandardCharsets.US_ASCII).equals("HTTP/1.");
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether the port answers HTTP/2's connection preface (with prior knowledge, as gRPC speaks) with SETTINGS. */
  private boolean answersHttp2() {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[] {0, 0, 0, SETTINGS, 0, 0, 0, 0, 0}); // an empty SETTINGS frame on stream 0
      out.flush();
      byte[] frameHeader = socket.getInputStream().readNBytes(9);
      return frameHeader.length == 9 && frameHeader[3] == SETTINGS;
    } catch (IOException e) {
      return false;
    }
  }

  /** What a TLS handshake shows: the port's certificate, and the protocol agreed on (ALPN; gRPC's is h2). */
  private record TlsHello(X509Certificate certificate, String protocol) {}

  /** The hello of a TLS handshake that trusts anything, or empty if the port speaks no TLS. */
  private Optional<TlsHello> tlsHello() {
    try (SSLSocket socket = handshake(new TrustManager[] {new TrustingEverything()}, false, "h2")) {
      Certificate[] chain = socket.getSession().getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate first
          ? Optional.of(new TlsHello(first, String.valueOf(socket.getApplicationProtocol())))
          : Optional.empty();
    } catch (IOException | GeneralSecurityException e) {
      return Optional.empty();
    }
  }

  /** Why the authorities the call trusted do not trust the port's certificate for this host, or empty if they do. */
  private Optional<String> untrusted() {
    try (SSLSocket socket = handshake(trustManagers(), true, "h2")) {
      return Optional.empty();
    } catch (IOException e) {
      // "PKIX path building failed: …: unable to find valid certification path to requested target": the last part.
      String message = String.valueOf(e.getMessage());
      return Optional.of(message.substring(message.lastIndexOf(": ") + 1).strip());
    } catch (GeneralSecurityException e) {
      return Optional.of(e.getMessage());
    }
  }

  /** Whether the port, offered HTTP/1.1 alone, agrees to it: a web server does, gRPC's does not. */
  private boolean selectsHttp1OverTls() {
    try (SSLSocket socket = handshake(new TrustManager[] {new TrustingEverything()}, false, "http/1.1")) {
      return "http/1.1".equals(socket.getApplicationProtocol());
    } catch (IOException | GeneralSecurityException e) {
      return false;
    }
  }

  private SSLSocket handshake(TrustManager[] trust, boolean checkHostName, String protocol)
      throws IOException, GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust, null);
    Socket plain = connect();
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
    try {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setApplicationProtocols(new String[] {protocol});
      if (checkHostName) {
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
      }
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  /** The authorities the call trusted: those in --ca-file, else the system's. */
  private TrustManager[] trustManagers() throws IOException, GeneralSecurityException {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    if (caFile == null) {
      factory.init((KeyStore) null);
    } else {
      KeyStore authorities = KeyStore.getInstance(KeyStore.getDefaultType());
      authorities.load(null, null);
      try (InputStream pem = Files.newInputStream(caFile)) {
        int i = 0;
        for (Certificate authority : CertificateFactory.getInstance("X.509").generateCertificates(pem)) {
          authorities.setCertificateEntry("ca-" + i++, authority);
        }
      }
      factory.init(authorities);
    }
    return factory.getTrustManagers();
  }

  /** For looking at a certificate only: nothing is sent over a connection that trusts it. */
  private static final class TrustingEverything implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
