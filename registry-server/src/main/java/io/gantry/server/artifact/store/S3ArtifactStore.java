package io.gantry.server.artifact.store;

import io.gantry.server.config.ConfigException;
import io.minio.BucketExistsArgs;
import io.minio.ComposeObjectArgs;
import io.minio.ComposeSource;
import io.minio.GetObjectArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.MinioException;
import io.minio.http.Method;
import io.minio.messages.Item;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blobs as objects in a bucket of any S3-compatible store (MinIO, AWS S3, Ceph…), through the MinIO Java SDK.
 *
 * <p>An upload streams into a temporary object {@code uploads/<uuid>}: the caller's bytes pass through a
 * {@link BoundedPipe} of 1 MiB to {@code putObject} on a background thread, which sends them as a multipart upload
 * in parts of 16 MiB while they come. Memory per upload in flight is therefore about 17 MiB whatever the blob's
 * size (the pipe and the SDK's buffer of one part), and a blob can hold at most S3's 10,000 parts, about 156 GiB.
 * Each upload in flight also holds a thread of its own, mostly waiting for bytes.
 *
 * <p>On commit, when the digest matches and no blob has it yet, the server copies the temporary object to
 * {@code blobs/sha256/ab/cdef…} (a copy appears whole or not at all; objects over 5 GiB are copied in ranges) and
 * the temporary object is deleted. (Two uploads of the same bytes at once may both copy; the second copy replaces
 * an identical object.) A digest mismatch, a blob already stored or an upload closed without commit
 * breaks the pipe instead, and the SDK aborts the multipart upload, so nothing of it stays. A process that dies
 * mid-upload leaves an incomplete multipart upload, which only a bucket lifecycle rule
 * ({@code AbortIncompleteMultipartUpload}) removes, and at most a temporary object, removed at the next open after
 * a day.
 */
public final class S3ArtifactStore implements ArtifactStore {

  private static final Logger log = LoggerFactory.getLogger(S3ArtifactStore.class);

  private static final long PART_SIZE = 16L << 20;
  private static final long MAX_PARTS = 10_000;
  private static final int PIPE_CAPACITY = 1 << 20;
  /** Bounds every call made while opening, so a wrong endpoint fails start-up quickly instead of hanging it. */
  private static final Duration STARTUP_CALL_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  // long enough for the server to answer a copy of a large object
  private static final Duration READ_WRITE_TIMEOUT = Duration.ofMinutes(5);
  private static final Set<String> CREDENTIAL_ERRORS =
      Set.of("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch");
  private static final Set<String> MISSING_OBJECT_ERRORS = Set.of("NoSuchKey", "NoSuchObject");

  private final MinioClient client;
  private final OkHttpClient http;
  private final String endpoint;
  private final String bucket;
  private final ExecutorService transfers;

  private S3ArtifactStore(MinioClient client, OkHttpClient http, S3Settings settings) {
    this.client = client;
    this.http = http;
    this.endpoint = settings.endpoint();
    this.bucket = settings.bucket();
    AtomicInteger threads = new AtomicInteger();
    this.transfers = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "s3-upload-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Connects, creates the bucket when missing, and removes temporary objects more than a day old.
   *
   * @throws ConfigException in one line naming the endpoint, when it cannot be reached, refuses the credentials or
   *     the bucket
   */
  public static S3ArtifactStore open(S3Settings settings) {
    return open(settings, Clock.systemUTC());
  }

  /** As {@link #open(S3Settings)}, with the clock that decides which temporary objects are stale. */
  static S3ArtifactStore open(S3Settings settings, Clock clock) {
    OkHttpClient http = new OkHttpClient.Builder()
        .connectTimeout(CONNECT_TIMEOUT)
        .readTimeout(READ_WRITE_TIMEOUT)
        .writeTimeout(READ_WRITE_TIMEOUT)
        .build();
    try {
      // shares the connections and threads of the store's client, with every call bounded
      MinioClient startup = client(settings, http.newBuilder().callTimeout(STARTUP_CALL_TIMEOUT).build());
      prepareBucket(startup, settings.bucket(), clock.instant());
      return new S3ArtifactStore(client(settings, http), http, settings);
    } catch (RuntimeException | IOException | MinioException | GeneralSecurityException e) {
      shutdown(http);
      throw startupFailure(settings, e);
    }
  }

  private static MinioClient client(S3Settings settings, OkHttpClient http) {
    MinioClient.Builder builder = MinioClient.builder()
        .endpoint(settings.endpoint())
        .credentials(settings.accessKey(), settings.secretKey())
        .httpClient(http);
    if (settings.region() != null && !settings.region().isBlank()) {
      builder.region(settings.region());
    }
    return builder.build();
  }

  private static void prepareBucket(MinioClient client, String bucket, Instant now)
      throws IOException, MinioException, GeneralSecurityException {
    if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
      try {
        client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
        log.info("Created S3 bucket {}", bucket);
      } catch (ErrorResponseException e) {
        // another replica starting at the same moment made it first
        if (!e.errorResponse().code().equals("BucketAlreadyOwnedByYou")) {
          throw e;
        }
      }
    }
    Instant staleBefore = now.minus(BlobLayout.STALE_UPLOAD_AGE);
    List<String> staleUploads = new ArrayList<>();
    forEachObject(client, bucket, BlobLayout.UPLOAD_ROOT, upload -> {
      if (upload.lastModified().toInstant().isBefore(staleBefore)) {
        staleUploads.add(upload.objectName());
      }
    });
    for (String key : staleUploads) {
      client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
    }
  }

  private static RuntimeException startupFailure(S3Settings settings, Exception e) {
    if (e instanceof ErrorResponseException) {
      String code = ((ErrorResponseException) e).errorResponse().code();
      String why = code + " (" + e.getMessage() + ")";
      return CREDENTIAL_ERRORS.contains(code)
          ? new ConfigException("S3 credentials refused by " + settings.endpoint() + ": " + why, e)
          : new ConfigException("S3 endpoint " + settings.endpoint() + " refused bucket " + settings.bucket() + ": "
              + why, e);
    }
    if (e instanceof IOException) {
      return new ConfigException("cannot reach S3 endpoint " + settings.endpoint() + ": " + messages(e), e);
    }
    if (e instanceof IllegalArgumentException) {
      return new ConfigException("invalid S3 settings for " + settings.endpoint() + ": " + e.getMessage(), e);
    }
    if (e instanceof RuntimeException) {
      return (RuntimeException) e;
    }
    return new ConfigException("S3 endpoint " + settings.endpoint() + " did not answer as S3: " + messages(e), e);
  }

  /** The messages of an exception and its causes on one line, each said once. */
  private static String messages(Throwable e) {
    StringBuilder line = new StringBuilder();
    for (Throwable link = e; link != null; link = link.getCause()) {
      String message = link.getMessage() != null ? link.getMessage() : link.getClass().getSimpleName();
      if (line.indexOf(message) < 0) {
        line.append(line.length() == 0 ? "" : ": ").append(message);
      }
    }
    return line.toString();
  }

  private static void forEachObject(MinioClient client, String bucket, String prefix, Consumer<Item> action)
      throws IOException, MinioException, GeneralSecurityException {
    Iterable<Result<Item>> objects =
        client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix).recursive(true).build());
    for (Result<Item> object : objects) {
      action.accept(object.get());
    }
  }

  private static void shutdown(OkHttpClient http) {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  @Override
  public BlobUpload begin() {
    return new ObjectUpload();
  }

  private final class ObjectUpload extends DigestingUpload {

    private final String key = BlobLayout.UPLOAD_ROOT + UUID.randomUUID();
    private final BoundedPipe pipe = new BoundedPipe(PIPE_CAPACITY);
    private final Future<?> transfer;

    ObjectUpload() {
      transfer = transfers.submit(() -> {
        try (InputStream bytes = pipe.reader()) {
          // size unknown (-1): the SDK reads one part at a time and uploads it, multipart once past the first
          client.putObject(PutObjectArgs.builder().bucket(bucket).object(key).stream(bytes, -1, PART_SIZE).build());
        } finally {
          // however the transfer ended, a writer waiting for room in the pipe must not wait forever
          pipe.breakPipe("the transfer to " + describe() + " has ended");
        }
        return null;
      });
    }

    @Override
    protected void append(byte[] bytes, int offset, int length, long sizeSoFar) throws IOException {
      if (sizeSoFar + length > MAX_PARTS * PART_SIZE) {
        throw new IOException("a blob in " + describe() + " holds at most " + MAX_PARTS + " parts of "
            + (PART_SIZE >> 20) + " MiB");
      }
      try {
        pipe.write(bytes, offset, length);
      } catch (InterruptedIOException e) {
        throw e;
      } catch (IOException brokenPipe) {
        throw transferFailure(awaitTransfer());
      }
    }

    @Override
    protected boolean alreadyStored(String sha256) throws IOException {
      return exists(sha256);
    }

    @Override
    protected void store(String sha256) throws IOException {
      pipe.closeWriter();
      Throwable failure = awaitTransfer();
      if (failure != null) {
        throw transferFailure(failure);
      }
      try {
        // one source: the SDK copies it whole, or in ranges of 5 GiB (S3's most per copy) into a multipart object
        ComposeSource upload = ComposeSource.builder().bucket(bucket).object(key).build();
        call("copy " + key + " to its blob", () -> client.composeObject(
            ComposeObjectArgs.builder().bucket(bucket).object(BlobLayout.blobKey(sha256)).sources(List.of(upload))
                .build()));
      } finally {
        call("delete " + key, () -> {
          client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
          return null;
        });
      }
    }

    /** Breaks the pipe, so the SDK aborts its multipart upload (or never starts one), and waits for that. */
    @Override
    protected void discard() throws IOException {
      pipe.breakPipe("the upload was abandoned");
      awaitTransfer();
    }

    /** Waits for the transfer to end; returns why it failed, or null when it stored the temporary object. */
    private Throwable awaitTransfer() throws InterruptedIOException {
      try {
        transfer.get();
        return null;
      } catch (ExecutionException e) {
        return e.getCause();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for the transfer to " + describe());
      }
    }

    private IOException transferFailure(Throwable cause) {
      return new IOException("upload to " + describe() + " failed: " + messages(cause), cause);
    }
  }

  @Override
  public boolean exists(String sha256) throws IOException {
    String key = BlobLayout.blobKey(sha256);
    return call("look up " + key, () -> {
      try {
        client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
        return true;
      } catch (ErrorResponseException e) {
        if (MISSING_OBJECT_ERRORS.contains(e.errorResponse().code())) {
          return false;
        }
        throw e;
      }
    });
  }

  @Override
  public InputStream open(String sha256) throws IOException {
    String key = BlobLayout.blobKey(sha256);
    return call("read " + key, () -> {
      try {
        return client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build());
      } catch (ErrorResponseException e) {
        if (MISSING_OBJECT_ERRORS.contains(e.errorResponse().code())) {
          throw new BlobNotFoundException(sha256);
        }
        throw e;
      }
    });
  }

  @Override
  public void delete(String sha256) throws IOException {
    String key = BlobLayout.blobKey(sha256);
    call("delete " + key, () -> {
      client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
      return null;
    });
  }

  @Override
  public void forEachBlob(Consumer<BlobInfo> action) throws IOException {
    call("list blobs", () -> {
      forEachObject(client, bucket, BlobLayout.BLOB_ROOT, object -> BlobLayout.digestOf(object.objectName())
          .ifPresent(sha256 -> action.accept(new BlobInfo(sha256, object.size(), object.lastModified().toInstant()))));
      return null;
    });
  }

  /**
   * A GET URL signed with the store's credentials, answered with {@code Content-Disposition: attachment}. It does
   * not check that the blob exists (a missing one answers 404).
   *
   * @param ttl from 1 second to 7 days, the longest S3 signs for
   */
  @Override
  public Optional<URI> presignedDownload(String sha256, Duration ttl, String fileName) throws IOException {
    String key = BlobLayout.blobKey(sha256);
    String url = call("sign a download of " + key, () -> client.getPresignedObjectUrl(
        GetPresignedObjectUrlArgs.builder()
            .method(Method.GET)
            .bucket(bucket)
            .object(key)
            .expiry(Math.toIntExact(ttl.toSeconds()))
            .extraQueryParams(Map.of("response-content-disposition", attachment(fileName)))
            .build()));
    return Optional.of(URI.create(url));
  }

  /** RFC 6266: an ASCII stand-in for old clients, and the exact name in UTF-8 for the rest. */
  private static String attachment(String fileName) {
    String ascii = fileName.replaceAll("[^\\x20-\\x7e]|[\"\\\\]", "_");
    String utf8 = URLEncoder.encode(fileName, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A");
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + utf8;
  }

  @Override
  public String describe() {
    return "s3 " + endpoint + " " + bucket;
  }

  /** Stops the transfers still running (their uploads fail) and releases the connections. */
  @Override
  public void close() {
    transfers.shutdownNow();
    shutdown(http);
  }

  @FunctionalInterface
  private interface S3Call<T> {
    T run() throws IOException, MinioException, GeneralSecurityException;
  }

  /** Runs a call, reporting the SDK's own exceptions as I/O failures of this store. */
  private <T> T call(String action, S3Call<T> call) throws IOException {
    try {
      return call.run();
    } catch (MinioException | GeneralSecurityException e) {
      throw new IOException(action + " in " + describe() + " failed: " + e.getMessage(), e);
    }
  }
}
