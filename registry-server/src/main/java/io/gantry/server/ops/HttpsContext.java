package io.gantry.server.ops;

import io.gantry.server.config.ConfigException;
import io.gantry.server.config.ServerConfig;
import io.grpc.util.CertificateUtils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The HTTP port's TLS server context, from the same PEM files the gRPC port takes (a certificate chain, and a PKCS#8
 * private key), read by gRPC's own PEM reader so that both ports accept exactly the same files.
 */
public final class HttpsContext {

  /** Only these: TLS 1.0 and 1.1 are deprecated (RFC 8996). */
  static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
  private static final char[] IN_MEMORY = new char[0];

  private HttpsContext() {}

  /** @throws ConfigException naming the variables when the files cannot be used */
  public static SSLContext load(ServerConfig.Tls tls) {
    try (InputStream chainIn = Files.newInputStream(tls.certificateChain());
        InputStream keyIn = Files.newInputStream(tls.privateKey())) {
      X509Certificate[] chain = CertificateUtils.getX509Certificates(chainIn);
      PrivateKey key = CertificateUtils.getPrivateKey(keyIn);
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("gantry", key, IN_MEMORY, chain);
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, IN_MEMORY);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new ConfigException("GANTRY_HTTP_TLS_CERT/GANTRY_HTTP_TLS_KEY (or GANTRY_TLS_CERT/GANTRY_TLS_KEY, which "
          + "the HTTP port takes when those are not set) cannot be used: " + e.getMessage(), e);
    }
  }
}
