package io.gantry.server.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.gantry.server.audit.Action;
import io.gantry.server.audit.AuditService;
import io.gantry.server.audit.CanonicalEvent;
import io.gantry.server.audit.LoggedEvent;
import io.gantry.server.auth.Caller;
import io.gantry.server.error.GantryException;
import io.gantry.v1.AuditAction;
import io.gantry.v1.AuditEvent;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.Checkpoint;
import io.gantry.v1.ConsistencyProof;
import io.gantry.v1.ExportAuditEventsRequest;
import io.gantry.v1.ExportAuditEventsResponse;
import io.gantry.v1.GetCheckpointRequest;
import io.gantry.v1.GetConsistencyProofRequest;
import io.gantry.v1.GetInclusionProofRequest;
import io.gantry.v1.GetVerifierKeyRequest;
import io.gantry.v1.InclusionProof;
import io.gantry.v1.ListAuditEventsRequest;
import io.gantry.v1.ListAuditEventsResponse;
import io.gantry.v1.StreamAuditEventsRequest;
import io.gantry.v1.VerifierKey;
import io.gantry.v1.VerifyAuditLogRequest;
import io.gantry.v1.VerifyAuditLogResponse;
import io.gantry.server.watch.AuditEventSink;
import io.gantry.server.watch.AuditFollowers;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/** The gRPC face of {@code gantry.v1.Audit}. */
public final class AuditEndpoint extends AuditGrpc.AuditImplBase {

  private static final int EXPORT_CHUNK_BYTES = 256 << 10;

  private final AuditService audit;
  private final AuditFollowers followers;

  public AuditEndpoint(AuditService audit, AuditFollowers followers) {
    this.audit = audit;
    this.followers = followers;
  }

  @Override
  public void listAuditEvents(ListAuditEventsRequest request, StreamObserver<ListAuditEventsResponse> observer) {
    Rpc.unary(observer, () -> {
      Optional<Action> action = request.getAction() == AuditAction.AUDIT_ACTION_UNSPECIFIED ? Optional.empty()
          : Optional.of(action(request.getAction()));
      var page = audit.list(new AuditService.EventFilter(request.getResourcePrefix(), request.getActor(), action,
          time("start_time", request.hasStartTime(), request.getStartTime()),
          time("end_time", request.hasEndTime(), request.getEndTime())),
          Caller.principal(), request.getPageSize(), request.getPageToken());
      return ListAuditEventsResponse.newBuilder()
          .addAllEvents(page.items().stream().map(AuditEndpoint::toProto).toList())
          .setNextPageToken(page.nextPageToken())
          .build();
    });
  }

  /** Sends what is there, then every event as it commits, until the client goes away; holds no thread. */
  @Override
  public void streamAuditEvents(StreamAuditEventsRequest request, StreamObserver<AuditEvent> observer) {
    var call = (ServerCallStreamObserver<AuditEvent>) observer;
    AuditFollowers.Follower follower;
    try {
      follower = followers.follow(request.getStartSeq(), new AuditEventSink() {
        @Override
        public boolean ready() {
          return call.isReady();
        }

        @Override
        public void deliver(List<LoggedEvent> events) {
          events.forEach(event -> call.onNext(toProto(event)));
        }

        @Override
        public void failed(RuntimeException error) {
          call.onError(GrpcErrors.toStatusException(error));
        }

        @Override
        public void ended() {
          call.onError(Status.UNAVAILABLE.withDescription("the server is stopping; resume from the next seq")
              .asRuntimeException());
        }
      });
    } catch (RuntimeException e) {
      observer.onError(GrpcErrors.toStatusException(e));
      return;
    }
    call.setOnCancelHandler(follower::cancel);
    // a stream can also be ended from outside the follower (access revoked while it was open)
    call.setOnCloseHandler(follower::cancel);
    call.setOnReadyHandler(follower::wake);
    follower.start();
  }

  @Override
  public void exportAuditEvents(ExportAuditEventsRequest request, StreamObserver<ExportAuditEventsResponse> observer) {
    try {
      ByteArrayOutputStream chunk = new ByteArrayOutputStream();
      audit.forEach(request.getStartSeq(), request.getEndSeq(), batch -> {
        for (LoggedEvent event : batch) {
          chunk.writeBytes(event.canonical().getBytes(StandardCharsets.UTF_8));
          chunk.write('\n');
          if (chunk.size() >= EXPORT_CHUNK_BYTES) {
            observer.onNext(ExportAuditEventsResponse.newBuilder().setJsonl(ByteString.copyFrom(chunk.toByteArray())).build());
            chunk.reset();
          }
        }
      });
      if (chunk.size() > 0) {
        observer.onNext(ExportAuditEventsResponse.newBuilder().setJsonl(ByteString.copyFrom(chunk.toByteArray())).build());
      }
      observer.onCompleted();
    } catch (RuntimeException e) {
      observer.onError(GrpcErrors.toStatusException(e));
    }
  }

  @Override
  public void getCheckpoint(GetCheckpointRequest request, StreamObserver<Checkpoint> observer) {
    Rpc.unary(observer, () -> {
      var checkpoint = audit.checkpoint(request.getTreeSize());
      return Checkpoint.newBuilder()
          .setOrigin(audit.origin())
          .setTreeSize(checkpoint.treeSize())
          .setRootHash(ByteString.copyFrom(checkpoint.rootHash()))
          .setSignedNote(checkpoint.signedNote())
          .setTime(Rpc.timestamp(checkpoint.time()))
          .build();
    });
  }

  @Override
  public void getInclusionProof(GetInclusionProofRequest request, StreamObserver<InclusionProof> observer) {
    Rpc.unary(observer, () -> {
      var proof = audit.inclusion(request.getSeq(), request.getTreeSize());
      return InclusionProof.newBuilder()
          .setSeq(proof.seq())
          .setTreeSize(proof.treeSize())
          .setLeafHash(ByteString.copyFrom(proof.leafHash()))
          .addAllHashes(proof.hashes().stream().map(ByteString::copyFrom).toList())
          .build();
    });
  }

  @Override
  public void getConsistencyProof(GetConsistencyProofRequest request, StreamObserver<ConsistencyProof> observer) {
    Rpc.unary(observer, () -> {
      var proof = audit.consistency(request.getFirstTreeSize(), request.getSecondTreeSize());
      return ConsistencyProof.newBuilder()
          .setFirstTreeSize(proof.firstSize())
          .setSecondTreeSize(proof.secondSize())
          .addAllHashes(proof.hashes().stream().map(ByteString::copyFrom).toList())
          .build();
    });
  }

  @Override
  public void verifyAuditLog(VerifyAuditLogRequest request, StreamObserver<VerifyAuditLogResponse> observer) {
    Rpc.unary(observer, () -> {
      var verdict = audit.verify(request.getStartSeq(), request.getEndSeq());
      return VerifyAuditLogResponse.newBuilder()
          .setOk(verdict.ok())
          .setEventsChecked(verdict.eventsChecked())
          .setTreeSize(verdict.treeSize())
          .setRootHash(ByteString.copyFrom(verdict.rootHash()))
          .setFirstBadSeq(verdict.firstBadSeq())
          .setProblem(verdict.problem())
          .build();
    });
  }

  @Override
  public void getVerifierKey(GetVerifierKeyRequest request, StreamObserver<VerifierKey> observer) {
    Rpc.unary(observer, () -> VerifierKey.newBuilder()
        .setNoteKey(audit.verifierKey())
        .setOrigin(audit.origin())
        .build());
  }

  static AuditEvent toProto(LoggedEvent event) {
    Struct.Builder payload = Struct.newBuilder();
    try {
      String json = CanonicalEvent.payloadJson(event.canonical());
      JsonFormat.parser().merge(json, payload);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("audit event " + event.seq() + " has a malformed payload", e);
    }
    return AuditEvent.newBuilder()
        .setSeq(event.seq())
        .setEventId(event.eventId().toString())
        .setTime(Rpc.timestamp(event.time()))
        .setActor(event.actor())
        .setAction(AuditAction.valueOf("AUDIT_ACTION_" + event.action()))
        .setResource(event.resource())
        .setRequestId(event.requestId())
        .setPayload(payload)
        .setCanonical(event.canonical())
        .build();
  }

  private static Action action(AuditAction action) {
    if (action == AuditAction.UNRECOGNIZED) {
      throw GantryException.invalid("action", "is not a known audit action");
    }
    return Action.valueOf(action.name().substring("AUDIT_ACTION_".length()));
  }

  private static Optional<OffsetDateTime> time(String field, boolean present, Timestamp time) {
    return Rpc.instant(field, present, time).map(instant -> instant.atOffset(ZoneOffset.UTC));
  }
}
