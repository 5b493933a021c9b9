package io.gantry.server.artifact.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.server.artifact.store.ArtifactStore.BlobUpload;
import io.gantry.server.common.Digests;
import io.gantry.server.config.ConfigException;
import io.minio.BucketExistsArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.Result;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract on the S3 store, against a real S3 server in this JVM (S3Proxy over a folder, with signed requests),
 * and what only S3 can show: how opening fails on a wrong endpoint or wrong credentials, and the bucket it creates.
 * Each test gets a bucket of its own, which the store creates.
 */
class S3StoreContractTest extends ArtifactStoreContractTest {

  private static final String ACCESS_KEY = S3TestServer.ACCESS_KEY;
  private static final String SECRET_KEY = S3TestServer.SECRET_KEY;
  private static final AtomicInteger buckets = new AtomicInteger();

  @TempDir
  static Path s3Data;
  private static S3TestServer s3;
  private static String endpoint;
  private static MinioClient inspector;

  private String bucket;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = S3TestServer.start(s3Data);
    endpoint = s3.endpoint();
    inspector = MinioClient.builder().endpoint(endpoint).credentials(ACCESS_KEY, SECRET_KEY).region("us-east-1")
        .build();
  }

  @AfterAll
  static void stopS3() throws Exception {
    inspector.close();
    s3.close();
  }

  private S3Settings settings(String endpoint, String secretKey) {
    return new S3Settings(endpoint, bucket, ACCESS_KEY, secretKey, "");
  }

  @Override
  protected ArtifactStore openStore() {
    bucket = "artifacts-" + buckets.incrementAndGet();
    return ArtifactStores.open(Optional.of(settings(endpoint, SECRET_KEY)), s3Data);
  }

  @Override
  protected List<String> uploadLeftovers() throws Exception {
    List<String> leftovers = objects("uploads/");
    // S3Proxy keeps the parts of unfinished multipart uploads as files beside the objects
    try (Stream<Path> files = Files.walk(s3Data.resolve(bucket))) {
      files.filter(Files::isRegularFile).map(s3Data::relativize).map(Path::toString)
          .filter(file -> !file.startsWith(bucket + "/blobs/")).forEach(leftovers::add);
    }
    return leftovers;
  }

  @Override
  protected boolean presigns() {
    return true;
  }

  private List<String> objects(String prefix) throws Exception {
    List<String> keys = new ArrayList<>();
    for (Result<Item> object : inspector.listObjects(
        ListObjectsArgs.builder().bucket(bucket).prefix(prefix).recursive(true).build())) {
      keys.add(object.get().objectName());
    }
    return keys;
  }

  @Test
  void opening_createsTheMissingBucket_andNamesTheStore() throws Exception {
    assertThat(inspector.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())).isTrue();
    assertThat(store.describe()).isEqualTo("s3 " + endpoint + " " + bucket);
    ArtifactStores.open(Optional.of(settings(endpoint, SECRET_KEY)), s3Data).close();
  }

  @Test
  void wrongEndpoint_failsOpeningAtOnce_withOneLineNamingIt() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    String wrong = "http://127.0.0.1:" + closedPort;

    long started = System.nanoTime();
    assertThatThrownBy(() -> ArtifactStores.open(Optional.of(settings(wrong, SECRET_KEY)), s3Data))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("cannot reach S3 endpoint " + wrong + ": ")
        .hasMessageNotContaining("\n");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void wrongCredentials_failOpeningAtOnce_withOneLineNamingTheEndpoint() {
    long started = System.nanoTime();
    assertThatThrownBy(() -> ArtifactStores.open(Optional.of(settings(endpoint, "not-the-secret")), s3Data))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("S3 credentials refused by " + endpoint + ": ")
        .hasMessageNotContaining("\n")
        .hasMessageNotContaining("not-the-secret");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void opening_removesTemporaryObjectsLeftADayAgo() throws Exception {
    byte[] leftover = randomBytes(100, 9);
    inspector.putObject(PutObjectArgs.builder().bucket(bucket).object("uploads/crashed")
        .stream(new ByteArrayInputStream(leftover), leftover.length, -1).build());
    String kept = storeBlob(randomBytes(100, 10)).sha256();

    S3ArtifactStore.open(settings(endpoint, SECRET_KEY)).close();
    assertThat(objects("uploads/")).as("a fresh one may be an upload in progress").containsExactly("uploads/crashed");

    Clock aDayLater = Clock.offset(Clock.systemUTC(), Duration.ofHours(25));
    S3ArtifactStore.open(settings(endpoint, SECRET_KEY), aDayLater).close();
    assertThat(objects("uploads/")).isEmpty();
    assertThat(store.exists(kept)).isTrue();
  }

  @Test
  void largeUpload_isSentInPartsWhileItsBytesArrive() throws Exception {
    byte[] chunk = randomBytes(1 << 20, 12);
    MessageDigest written = Digests.newSha256();
    try (BlobUpload upload = store.begin()) {
      for (int i = 0; i < 20; i++) {
        upload.write(chunk, 0, chunk.length);
        written.update(chunk);
      }
      await("the first 16 MiB, stored before the commit").atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(20)).until(() -> !partsOnTheServer().isEmpty());
      upload.commit(Digests.hex(written));
    }

    assertThat(partsOnTheServer()).isEmpty();
    assertThat(uploadLeftovers()).isEmpty();
  }

  /** Files in which S3Proxy keeps the parts of multipart uploads in progress. */
  private List<Path> partsOnTheServer() throws IOException {
    try (Stream<Path> files = Files.walk(s3Data.resolve(bucket))) {
      return files.filter(file -> file.getFileName().toString().startsWith(".mpus-")).toList();
    }
  }

  @Test
  void upload_failsCleanly_whenTheServerGoesAway(@TempDir Path otherData) throws Exception {
    S3TestServer doomed = S3TestServer.start(otherData);
    String doomedEndpoint = doomed.endpoint();
    byte[] chunk = randomBytes(1 << 20, 11);
    try (ArtifactStore doomedStore = ArtifactStores.open(Optional.of(settings(doomedEndpoint, SECRET_KEY)), otherData);
        BlobUpload upload = doomedStore.begin()) {
      upload.write(chunk, 0, chunk.length);
      doomed.close();

      assertThatThrownBy(() -> {
        for (int i = 0; i < 40; i++) {
          upload.write(chunk, 0, chunk.length);
        }
        upload.commit(sha256(chunk));
      }).isInstanceOf(IOException.class).hasMessageStartingWith("upload to s3 " + doomedEndpoint + " " + bucket + " failed: ");
    }
  }
}
