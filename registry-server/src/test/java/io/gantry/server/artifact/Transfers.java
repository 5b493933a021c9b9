package io.gantry.server.artifact;

import com.google.protobuf.ByteString;
import io.gantry.server.TestRegistry;
import io.gantry.v1.ArtifactFile;
import io.gantry.v1.ArtifactsGrpc;
import io.gantry.v1.DownloadArtifactRequest;
import io.gantry.v1.DownloadArtifactResponse;
import io.gantry.v1.UploadArtifactsRequest;
import io.gantry.v1.UploadArtifactsResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * Uploads and downloads as a well-behaved client makes them: a chunk is sent only when the transport is ready,
 * so files of any size stream through bounded memory on both sides.
 */
public final class Transfers {

  static final int CHUNK = 1 << 20;

  private Transfers() {}

  /** A file to upload: its header (what the client claims) and where its bytes come from. */
  public record Upload(ArtifactFile header, Supplier<InputStream> bytes) {

    public static Upload of(String path, byte[] content) {
      return new Upload(ArtifactFile.newBuilder().setPath(path).setSize(content.length).setSha256(sha256(content))
          .build(), () -> new java.io.ByteArrayInputStream(content));
    }

    /** {@code size} pseudo-random bytes from {@code seed}, generated as they are read. */
    static Upload generated(String path, long size, long seed) {
      return new Upload(ArtifactFile.newBuilder().setPath(path).setSize(size)
          .setSha256(sha256(new GeneratedBytes(size, seed))).build(), () -> new GeneratedBytes(size, seed));
    }

    Upload claiming(String sha256) {
      return new Upload(header.toBuilder().setSha256(sha256).build(), bytes);
    }
  }

  public static UploadArtifactsResponse upload(String user, String version, Upload... files) {
    return upload(TestRegistry.channel(), user, version, List.of(files), Long.MAX_VALUE);
  }

  /**
   * Streams the files; with {@code cancelAfterBytes} the client goes away (cancels) once that many bytes of
   * content are sent, as a killed client would.
   */
  static UploadArtifactsResponse upload(ManagedChannel channel, String user, String version, List<Upload> files,
      long cancelAfterBytes) {
    CompletableFuture<UploadArtifactsResponse> result = new CompletableFuture<>();
    Semaphore ready = new Semaphore(0);
    ClientCallStreamObserver<UploadArtifactsRequest>[] call = new ClientCallStreamObserver[1];
    ClientResponseObserver<UploadArtifactsRequest, UploadArtifactsResponse> responses = new ClientResponseObserver<>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<UploadArtifactsRequest> requests) {
        call[0] = requests;
        requests.setOnReadyHandler(ready::release);
      }

      @Override
      public void onNext(UploadArtifactsResponse response) {
        result.complete(response);
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
        ready.release();
      }

      @Override
      public void onCompleted() {
        ready.release();
      }
    };
    TestRegistry.as(ArtifactsGrpc.newStub(channel), user).uploadArtifacts(responses);
    ClientCallStreamObserver<UploadArtifactsRequest> requests = call[0];
    long sent = 0;
    send(requests, ready, result, UploadArtifactsRequest.newBuilder().setVersion(version).build());
    byte[] buffer = new byte[CHUNK];
    for (Upload file : files) {
      send(requests, ready, result, UploadArtifactsRequest.newBuilder().setFile(file.header()).build());
      try (InputStream in = file.bytes().get()) {
        for (int n = in.readNBytes(buffer, 0, CHUNK); n > 0 && !result.isDone(); n = in.readNBytes(buffer, 0, CHUNK)) {
          if (sent + n > cancelAfterBytes) {
            requests.cancel("the client went away", null);
            return join(result);
          }
          send(requests, ready, result,
              UploadArtifactsRequest.newBuilder().setChunk(ByteString.copyFrom(buffer, 0, n)).build());
          sent += n;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (!result.isDone()) {
      requests.onCompleted();
    }
    return join(result);
  }

  private static void send(ClientCallStreamObserver<UploadArtifactsRequest> requests, Semaphore ready,
      CompletableFuture<?> result, UploadArtifactsRequest message) {
    while (!requests.isReady() && !result.isDone()) {
      ready.acquireUninterruptibly();
    }
    if (!result.isDone()) {
      requests.onNext(message);
    }
  }

  /** Downloads a file and returns its SHA-256 and size as the client received them, never holding it whole. */
  static Received download(String user, String version, String path) {
    return download(TestRegistry.channel(), user, version, path);
  }

  static Received download(ManagedChannel channel, String user, String version, String path) {
    Iterator<DownloadArtifactResponse> stream = TestRegistry.as(ArtifactsGrpc.newBlockingStub(channel), user)
        .downloadArtifact(DownloadArtifactRequest.newBuilder().setVersion(version).setPath(path).build());
    MessageDigest digest = sha256();
    ArtifactFile header = stream.next().getFile();
    long size = 0;
    while (stream.hasNext()) {
      ByteString chunk = stream.next().getChunk();
      chunk.asReadOnlyByteBufferList().forEach(digest::update);
      size += chunk.size();
    }
    return new Received(header, size, HexFormat.of().formatHex(digest.digest()));
  }

  /** What a download delivered. */
  record Received(ArtifactFile header, long size, String sha256) {}

  static String sha256(byte[] content) {
    return HexFormat.of().formatHex(sha256().digest(content));
  }

  static String sha256(InputStream in) {
    MessageDigest digest = sha256();
    byte[] buffer = new byte[CHUNK];
    try (in) {
      for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> T join(CompletableFuture<T> result) {
    try {
      return result.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Deterministic pseudo-random bytes, made as they are read, so a test never holds a large file. Byte i is the
   * same however the stream is read (one byte or a megabyte at a time).
   */
  static final class GeneratedBytes extends InputStream {

    private final Random random;
    private long remaining;
    private long word;
    private int wordBytesLeft;

    GeneratedBytes(long size, long seed) {
      this.random = new Random(seed);
      this.remaining = size;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
      if (remaining == 0) {
        return -1;
      }
      int n = (int) Math.min(length, remaining);
      for (int i = 0; i < n; i++) {
        if (wordBytesLeft == 0) {
          word = random.nextLong();
          wordBytesLeft = Long.BYTES;
        }
        buffer[offset + i] = (byte) word;
        word >>>= 8;
        wordBytesLeft--;
      }
      remaining -= n;
      return n;
    }
  }
}
