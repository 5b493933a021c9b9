package io.gantry.server.artifact.store;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

/** A real S3 server in this JVM: S3Proxy over a folder, on a loopback port, with signed requests. */
public final class S3TestServer implements AutoCloseable {

  public static final String ACCESS_KEY = "gantry";
  public static final String SECRET_KEY = "gantry-secret-key";

  private final S3Proxy proxy;

  private S3TestServer(S3Proxy proxy) {
    this.proxy = proxy;
  }

  /** Starts a server keeping its buckets under {@code data}. */
  public static S3TestServer start(Path data) throws Exception {
    S3Proxy proxy = S3Proxy.builder()
        .blobStore(new FilesystemNio2BlobStore(data.toString()))
        .endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
        .build();
    proxy.start();
    Awaitility.await("S3Proxy started").atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(10)).until(() -> proxy.getState().equals("STARTED"));
    return new S3TestServer(proxy);
  }

  public String endpoint() {
    return "http://127.0.0.1:" + proxy.getPort();
  }

  /** Settings for a store in {@code bucket} of this server. */
  public S3Settings settings(String bucket) {
    return new S3Settings(endpoint(), bucket, ACCESS_KEY, SECRET_KEY, "");
  }

  /** The same settings as the server's environment sees them. */
  public Map<String, String> environment(String bucket) {
    return Map.of("GANTRY_S3_ENDPOINT", endpoint(), "GANTRY_S3_BUCKET", bucket,
        "GANTRY_S3_ACCESS_KEY", ACCESS_KEY, "GANTRY_S3_SECRET_KEY", SECRET_KEY);
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
  }
}
