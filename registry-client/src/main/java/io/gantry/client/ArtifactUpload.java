package io.gantry.client;

import com.google.protobuf.ByteString;
import io.gantry.v1.UploadArtifactsRequest;
import io.gantry.v1.UploadArtifactsResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One {@code UploadArtifacts} stream into a version that is PENDING_UPLOAD: the version, then for each file its header
 * and exactly its bytes, in chunks of at most {@link #CHUNK_BYTES}. A chunk is read from disk only when the transport
 * is ready to send it (gRPC flow control), so a file of any size passes through bounded memory. Nothing is retried:
 * the files the server stored before a failure stay stored, and it refuses them a second time.
 */
public final class ArtifactUpload {

  /** The largest chunk the server accepts. */
  public static final int CHUNK_BYTES = 1 << 20;

  private final CompletableFuture<UploadArtifactsResponse> result = new CompletableFuture<>();
  // A permit whenever sending may have become possible again, or the call ended.
  private final Semaphore readiness = new Semaphore(0);
  private ClientCallStreamObserver<UploadArtifactsRequest> requests;
  private UploadArtifactsResponse response;

  private ArtifactUpload() {}

  /**
   * Uploads {@code files}, whose headers were hashed before, into {@code versionName}
   * ({@code models/{model}/versions/{version}}), under a deadline of {@link GantryClient#transferTimeout} for all
   * their bytes.
   *
   * @throws ArtifactTransferException naming the file being sent when the server refused the stream, the deadline
   *     passed, or a file could not be read (or had become shorter since it was hashed)
   */
  public static UploadArtifactsResponse upload(GantryClient client, String versionName, List<LocalArtifact> files,
      TransferListener listener) {
    long totalBytes = files.stream().mapToLong(file -> file.header().getSize()).sum();
    ArtifactUpload upload = new ArtifactUpload();
    client.artifactsAsync()
        .withDeadlineAfter(GantryClient.transferTimeout(totalBytes).toMillis(), TimeUnit.MILLISECONDS)
        .uploadArtifacts(upload.new Responses());
    return upload.send(versionName, files, listener);
  }

  private UploadArtifactsResponse send(String versionName, List<LocalArtifact> files, TransferListener listener) {
    String current = "";
    try {
      send(UploadArtifactsRequest.newBuilder().setVersion(versionName).build());
      byte[] buffer = new byte[CHUNK_BYTES];
      for (LocalArtifact file : files) {
        current = file.header().getPath();
        listener.fileStarted(current, file.header().getSize());
        send(UploadArtifactsRequest.newBuilder().setFile(file.header()).build());
        try (InputStream in = Files.newInputStream(file.file())) {
          // Exactly the announced size: bytes appended since hashing are not part of this file.
          for (long remaining = file.header().getSize(); remaining > 0; ) {
            int n = in.readNBytes(buffer, 0, (int) Math.min(CHUNK_BYTES, remaining));
            if (n == 0) {
              throw new EOFException(file.file() + " is shorter than when it was hashed; it changed during the upload");
            }
            send(UploadArtifactsRequest.newBuilder().setChunk(ByteString.copyFrom(buffer, 0, n)).build());
            remaining -= n;
            listener.transferred(n);
          }
        }
      }
      requests.onCompleted();
      return result.join();
    } catch (CompletionException e) {
      throw failed(current, e.getCause());
    } catch (IOException e) {
      requests.cancel("the client could not read " + current, e);
      throw failed(current, e);
    } catch (InterruptedException e) {
      requests.cancel("the client was interrupted", e);
      Thread.currentThread().interrupt();
      throw failed(current, e);
    }
  }

  /** Sends once the transport is ready; the call having ended instead ends the upload with its error. */
  private void send(UploadArtifactsRequest message) throws InterruptedException {
    while (!requests.isReady() && !result.isDone()) {
      readiness.acquire();
    }
    if (result.isDone()) {
      result.join();
      throw new IllegalStateException("the server answered an upload before it was complete");
    }
    requests.onNext(message);
  }

  private static ArtifactTransferException failed(String path, Throwable cause) {
    // The server's error may concern a file sent just before: its message names that file.
    String where = path.isEmpty() ? "before the first file" : "while sending '" + path + "'";
    return new ArtifactTransferException(path, "upload failed " + where + ": "
        + ArtifactTransferException.describe(cause), cause);
  }

  /** The call's side: readiness, the response, the end. */
  private final class Responses implements ClientResponseObserver<UploadArtifactsRequest, UploadArtifactsResponse> {

    @Override
    public void beforeStart(ClientCallStreamObserver<UploadArtifactsRequest> call) {
      requests = call;
      call.setOnReadyHandler(readiness::release);
    }

    @Override
    public void onNext(UploadArtifactsResponse message) {
      response = message;
    }

    @Override
    public void onError(Throwable failure) {
      result.completeExceptionally(failure);
      readiness.release();
    }

    @Override
    public void onCompleted() {
      if (response == null) {
        result.completeExceptionally(new IllegalStateException("the server ended the upload without a response"));
      } else {
        result.complete(response);
      }
      readiness.release();
    }
  }
}
