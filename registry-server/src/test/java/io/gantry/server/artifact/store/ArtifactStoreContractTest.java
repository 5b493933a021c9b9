package io.gantry.server.artifact.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.gantry.server.artifact.store.ArtifactStore.BlobInfo;
import io.gantry.server.artifact.store.ArtifactStore.BlobUpload;
import io.gantry.server.artifact.store.ArtifactStore.StoredBlob;
import io.gantry.server.common.Digests;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every artifact store promises, written once and run against each store by a subclass, so the filesystem
 * default and S3 behave the same to the service above them.
 */
abstract class ArtifactStoreContractTest {

  private static final int MiB = 1 << 20;

  protected ArtifactStore store;

  /** A new, empty store for one test. */
  protected abstract ArtifactStore openStore() throws Exception;

  /** Whatever uploads left where the store keeps them while in progress (temporary files or objects). */
  protected abstract List<String> uploadLeftovers() throws Exception;

  /** Whether the store can sign download URLs. */
  protected abstract boolean presigns();

  @BeforeEach
  void openTheStore() throws Exception {
    store = openStore();
  }

  @AfterEach
  void closeTheStore() throws IOException {
    store.close();
  }

  @Test
  void committedBlob_readsBackAsWritten() throws Exception {
    byte[] bytes = "flavors:\n  python_function: {}\n".getBytes(StandardCharsets.UTF_8);
    try (BlobUpload upload = store.begin()) {
      upload.write(bytes, 0, 10);
      upload.write(bytes, 10, bytes.length - 10);
      assertThat(upload.size()).isEqualTo(bytes.length);
      StoredBlob stored = upload.commit(sha256(bytes));
      assertThat(stored).isEqualTo(new StoredBlob(sha256(bytes), bytes.length, false));
      assertThatThrownBy(() -> upload.write(bytes, 0, 1)).isInstanceOf(IllegalStateException.class);
    }

    assertThat(store.exists(sha256(bytes))).isTrue();
    assertThat(read(sha256(bytes))).isEqualTo(bytes);
    assertThat(uploadLeftovers()).isEmpty();
  }

  @Test
  void emptyBlob_isStoredToo() throws Exception {
    StoredBlob stored = storeBlob(new byte[0]);

    assertThat(stored.size()).isZero();
    assertThat(read(stored.sha256())).isEmpty();
  }

  @Test
  void sameBytesTwice_areStoredOnce_andTheSecondUploadSaysDeduplicated() throws Exception {
    byte[] bytes = randomBytes(3000, 1);

    StoredBlob first = storeBlob(bytes);
    StoredBlob second = storeBlob(bytes);

    assertThat(first.deduplicated()).isFalse();
    assertThat(second).isEqualTo(new StoredBlob(first.sha256(), bytes.length, true));
    assertThat(blobs()).extracting(BlobInfo::sha256).containsExactly(first.sha256());
    assertThat(read(first.sha256())).isEqualTo(bytes);
    assertThat(uploadLeftovers()).isEmpty();
  }

  @Test
  void wrongDigest_isRefused_andNothingIsStored() throws Exception {
    byte[] bytes = randomBytes(5000, 2);
    String announced = sha256("other bytes".getBytes(StandardCharsets.UTF_8));

    try (BlobUpload upload = store.begin()) {
      upload.write(bytes, 0, bytes.length);
      assertThatThrownBy(() -> upload.commit(announced))
          .isInstanceOfSatisfying(DigestMismatchException.class, mismatch -> {
            assertThat(mismatch.expected()).isEqualTo(announced);
            assertThat(mismatch.actual()).isEqualTo(sha256(bytes));
          });
    }

    assertThat(store.exists(sha256(bytes))).isFalse();
    assertThat(store.exists(announced)).isFalse();
    assertThat(blobs()).isEmpty();
    assertThat(uploadLeftovers()).isEmpty();
  }

  @Test
  void uploadClosedWithoutCommit_leavesNothing() throws Exception {
    // past one S3 part, so a multipart upload is under way when it is abandoned
    byte[] chunk = randomBytes(MiB, 3);
    try (BlobUpload upload = store.begin()) {
      for (int i = 0; i < 20; i++) {
        upload.write(chunk, 0, chunk.length);
      }
    }

    assertThat(blobs()).isEmpty();
    assertThat(uploadLeftovers()).isEmpty();
  }

  @Test
  void missingBlob_cannotBeOpened() throws Exception {
    String missing = sha256("never stored".getBytes(StandardCharsets.UTF_8));

    assertThat(store.exists(missing)).isFalse();
    assertThatThrownBy(() -> store.open(missing))
        .isInstanceOf(BlobNotFoundException.class)
        .hasMessageContaining(missing);
  }

  @Test
  void digestThatIsNotOne_isRejectedBeforeItBecomesAName() {
    assertThatThrownBy(() -> store.open("../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.exists("AB".repeat(32))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void deletedBlob_isGone_andDeletingItAgainIsNoError() throws Exception {
    StoredBlob kept = storeBlob(randomBytes(100, 4));
    StoredBlob deleted = storeBlob(randomBytes(200, 5));

    store.delete(deleted.sha256());
    store.delete(deleted.sha256());

    assertThat(store.exists(deleted.sha256())).isFalse();
    assertThatThrownBy(() -> store.open(deleted.sha256())).isInstanceOf(BlobNotFoundException.class);
    assertThat(blobs()).extracting(BlobInfo::sha256).containsExactly(kept.sha256());
  }

  @Test
  void forEachBlob_listsEveryBlobWithItsSize() throws Exception {
    StoredBlob small = storeBlob(randomBytes(10, 6));
    StoredBlob large = storeBlob(randomBytes(70_000, 7));
    StoredBlob empty = storeBlob(new byte[0]);

    assertThat(blobs())
        .allSatisfy(blob -> assertThat(blob.lastModified()).isNotNull())
        .extracting(BlobInfo::sha256, BlobInfo::size)
        .containsExactlyInAnyOrder(
            tuple(small.sha256(), 10L),
            tuple(large.sha256(), 70_000L),
            tuple(empty.sha256(), 0L));
  }

  @Test
  void blobOf64MiB_writtenInChunksOf1MiB_roundTrips() throws Exception {
    MessageDigest written = Digests.newSha256();
    Random random = new Random(64);
    byte[] chunk = new byte[MiB];
    StoredBlob stored;
    try (BlobUpload upload = store.begin()) {
      for (int i = 0; i < 64; i++) {
        random.nextBytes(chunk);
        written.update(chunk);
        upload.write(chunk, 0, chunk.length);
      }
      stored = upload.commit(Digests.hex(written));
    }

    MessageDigest read = Digests.newSha256();
    long size;
    try (InputStream in = store.open(stored.sha256());
        DigestOutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), read)) {
      size = in.transferTo(out);
    }
    assertThat(size).isEqualTo(64L * MiB).isEqualTo(stored.size());
    assertThat(Digests.hex(read)).isEqualTo(stored.sha256());
    assertThat(uploadLeftovers()).isEmpty();
  }

  @Test
  void presignedDownload_servesTheBytesAsAnAttachment_whereTheStoreCanSign() throws Exception {
    byte[] bytes = randomBytes(4096, 8);
    StoredBlob stored = storeBlob(bytes);

    Optional<URI> url = store.presignedDownload(stored.sha256(), Duration.ofMinutes(5), "model.pkl");

    if (!presigns()) {
      assertThat(url).isEmpty();
      return;
    }
    HttpResponse<byte[]> download = HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(url.orElseThrow()).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.body()).isEqualTo(bytes);
    assertThat(download.headers().firstValue("Content-Disposition"))
        .hasValueSatisfying(disposition -> assertThat(disposition).startsWith("attachment").contains("model.pkl"));
  }

  protected StoredBlob storeBlob(byte[] bytes) throws IOException {
    try (BlobUpload upload = store.begin()) {
      upload.write(bytes, 0, bytes.length);
      return upload.commit(sha256(bytes));
    }
  }

  protected byte[] read(String sha256) throws IOException {
    try (InputStream in = store.open(sha256)) {
      return in.readAllBytes();
    }
  }

  protected List<BlobInfo> blobs() throws IOException {
    List<BlobInfo> blobs = new ArrayList<>();
    store.forEachBlob(blobs::add);
    return blobs;
  }

  protected static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  protected static String sha256(byte[] bytes) {
    MessageDigest digest = Digests.newSha256();
    digest.update(bytes);
    return Digests.hex(digest);
  }
}
