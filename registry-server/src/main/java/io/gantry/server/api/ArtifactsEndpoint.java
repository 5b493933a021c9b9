package io.gantry.server.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import io.gantry.server.artifact.ArtifactFile;
import io.gantry.server.artifact.ArtifactReader;
import io.gantry.server.artifact.ArtifactService;
import io.gantry.server.artifact.Manifest;
import io.gantry.server.auth.Caller;
import io.gantry.server.common.Names;
import io.gantry.server.error.GantryException;
import io.gantry.v1.ArtifactManifest;
import io.gantry.v1.ArtifactsGrpc;
import io.gantry.v1.DownloadArtifactRequest;
import io.gantry.v1.DownloadArtifactResponse;
import io.gantry.v1.DownloadUrl;
import io.gantry.v1.FinalizeVersionRequest;
import io.gantry.v1.GetDownloadUrlRequest;
import io.gantry.v1.ListArtifactsRequest;
import io.gantry.v1.UploadArtifactsRequest;
import io.gantry.v1.UploadArtifactsResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The gRPC face of {@code gantry.v1.Artifacts}. Uploads and downloads stream: an upload hands each message to
 * the artifact service as it arrives; a download sends a chunk only when the transport is ready for it, so a
 * file of any size passes through a bounded amount of memory.
 */
public final class ArtifactsEndpoint extends ArtifactsGrpc.ArtifactsImplBase {

  private final ArtifactService artifacts;

  public ArtifactsEndpoint(ArtifactService artifacts) {
    this.artifacts = artifacts;
  }

  @Override
  public StreamObserver<UploadArtifactsRequest> uploadArtifacts(StreamObserver<UploadArtifactsResponse> observer) {
    String actor = Caller.principal();
    return new StreamObserver<>() {
      private ArtifactService.Upload upload;
      private boolean failed;

      @Override
      public void onNext(UploadArtifactsRequest request) {
        if (failed) {
          return;
        }
        try {
          accept(request);
        } catch (RuntimeException e) {
          fail(e);
        }
      }

      private void accept(UploadArtifactsRequest request) {
        if (upload == null) {
          if (request.getPartCase() != UploadArtifactsRequest.PartCase.VERSION) {
            throw GantryException.invalid("version", "the first message of an upload names the version");
          }
          upload = artifacts.startUpload(Names.parseVersionName("version", request.getVersion()), actor);
          return;
        }
        switch (request.getPartCase()) {
          case FILE -> upload.beginFile(new ArtifactFile(request.getFile().getPath(), request.getFile().getSize(),
              request.getFile().getSha256()));
          case CHUNK -> upload.chunk(request.getChunk().toByteArray());
          case VERSION -> throw GantryException.invalid("version", "is named once, in the first message");
          default -> throw GantryException.invalid("part", "an upload message holds a version, a file or a chunk");
        }
      }

      @Override
      public void onError(Throwable t) {
        // the client went away mid-stream: what was completed stays, the file in progress is discarded
        if (upload != null) {
          upload.abort();
        }
      }

      @Override
      public void onCompleted() {
        if (failed) {
          return;
        }
        try {
          if (upload == null) {
            throw GantryException.invalid("version", "the upload stream was empty");
          }
          ArtifactService.UploadResult result = upload.finish();
          observer.onNext(UploadArtifactsResponse.newBuilder()
              .addAllFiles(result.files().stream().map(ArtifactsEndpoint::toProto).toList())
              .setDeduplicated(result.deduplicated())
              .build());
          observer.onCompleted();
        } catch (RuntimeException e) {
          fail(e);
        }
      }

      private void fail(RuntimeException e) {
        failed = true;
        if (upload != null) {
          upload.abort();
        }
        observer.onError(GrpcErrors.toStatusException(e));
      }
    };
  }

  @Override
  public void finalizeVersion(FinalizeVersionRequest request, StreamObserver<ArtifactManifest> observer) {
    Rpc.unary(observer, () -> toProto(artifacts.finalizeVersion(Names.parseVersionName("name", request.getName()),
        request.getFilesList().stream().map(f -> new ArtifactFile(f.getPath(), f.getSize(), f.getSha256())).toList(),
        Caller.principal())));
  }

  @Override
  public void listArtifacts(ListArtifactsRequest request, StreamObserver<ArtifactManifest> observer) {
    Rpc.unary(observer, () -> toProto(artifacts.list(Names.parseVersionName("version", request.getVersion()))));
  }

  @Override
  public void getDownloadUrl(GetDownloadUrlRequest request, StreamObserver<DownloadUrl> observer) {
    Rpc.unary(observer, () -> {
      Optional<Duration> ttl = Optional.empty();
      if (request.hasTtl()) {
        if (!Durations.isValid(request.getTtl())) {
          throw GantryException.invalid("ttl", "is not a valid duration");
        }
        ttl = Optional.of(Duration.ofSeconds(request.getTtl().getSeconds(), request.getTtl().getNanos()));
      }
      ArtifactService.DownloadUrl url = artifacts.downloadUrl(Names.parseVersionName("version",
          request.getVersion()), request.getPath(), ttl);
      return DownloadUrl.newBuilder()
          .setUrl(url.url().toString())
          .setExpireTime(Timestamps.fromMillis(Instant.now().plus(url.ttl()).toEpochMilli()))
          .setFile(toProto(url.file()))
          .build();
    });
  }

  @Override
  public void downloadArtifact(DownloadArtifactRequest request, StreamObserver<DownloadArtifactResponse> observer) {
    ServerCallStreamObserver<DownloadArtifactResponse> call =
        (ServerCallStreamObserver<DownloadArtifactResponse>) observer;
    ArtifactReader reader;
    try {
      reader = artifacts.open(Names.parseVersionName("version", request.getVersion()), request.getPath());
    } catch (RuntimeException e) {
      observer.onError(GrpcErrors.toStatusException(e));
      return;
    }
    new DownloadPump(call, reader).start();
  }

  /** Sends a file chunk by chunk whenever the transport can take one, and ends with the reader's verdict. */
  private static final class DownloadPump implements Runnable {

    private final ServerCallStreamObserver<DownloadArtifactResponse> call;
    private final ArtifactReader reader;
    private final byte[] buffer = new byte[ArtifactService.CHUNK_BYTES];
    private boolean done;

    DownloadPump(ServerCallStreamObserver<DownloadArtifactResponse> call, ArtifactReader reader) {
      this.call = call;
      this.reader = reader;
    }

    void start() {
      call.setOnCancelHandler(this::finish);
      call.onNext(DownloadArtifactResponse.newBuilder().setFile(toProto(reader.file())).build());
      call.setOnReadyHandler(this);
      run();
    }

    @Override
    public synchronized void run() {
      try {
        while (!done && call.isReady()) {
          int n = reader.read(buffer);
          if (n < 0) {
            finish();
            call.onCompleted();
            return;
          }
          call.onNext(DownloadArtifactResponse.newBuilder().setChunk(ByteString.copyFrom(buffer, 0, n)).build());
        }
      } catch (RuntimeException e) {
        if (!done) {
          finish();
          call.onError(GrpcErrors.toStatusException(e));
        }
      }
    }

    private synchronized void finish() {
      done = true;
      reader.close();
    }
  }

  private static io.gantry.v1.ArtifactFile toProto(ArtifactFile file) {
    return io.gantry.v1.ArtifactFile.newBuilder().setPath(file.path()).setSize(file.size()).setSha256(file.sha256())
        .build();
  }

  private static ArtifactManifest toProto(Manifest manifest) {
    return ArtifactManifest.newBuilder()
        .setVersion(manifest.version())
        .addAllFiles(manifest.files().stream().map(ArtifactsEndpoint::toProto).toList())
        .setManifestDigest(manifest.digest().orElse(""))
        .setTotalSize(manifest.totalSize())
        .build();
  }
}
