package io.gantry.server.audit;

import static io.gantry.server.TestRegistry.registry;
import static io.gantry.server.TestRegistry.uniqueModel;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.server.TestRegistry;
import io.gantry.v1.AuditAction;
import io.gantry.v1.AuditEvent;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.StreamAuditEventsRequest;
import io.gantry.v1.VerifyAuditLogRequest;
import io.grpc.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AuditStreamTest {

  @Test
  void stream_sendsTheLogFromASeq_thenEveryNewEventAsItCommits() throws Exception {
    String before = uniqueModel("stream-before");
    registry().createModel(CreateModelRequest.newBuilder().setModelId(before).build());
    long end = AuditGrpc.newBlockingStub(TestRegistry.channel())
        .verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance()).getTreeSize();
    BlockingQueue<AuditEvent> received = new LinkedBlockingQueue<>();
    Context.CancellableContext following = Context.current().withCancellation();

    following.run(() -> AuditGrpc.newStub(TestRegistry.channel()).streamAuditEvents(
        StreamAuditEventsRequest.newBuilder().setStartSeq(end - 1).build(), new io.grpc.stub.StreamObserver<>() {
          @Override
          public void onNext(AuditEvent event) {
            received.add(event);
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        }));
    AuditEvent last = received.poll(10, TimeUnit.SECONDS);
    String after = uniqueModel("stream-after");
    registry("live").createModel(CreateModelRequest.newBuilder().setModelId(after).build());
    AuditEvent live = received.poll(10, TimeUnit.SECONDS);
    following.cancel(null);

    assertThat(last).isNotNull();
    assertThat(last.getSeq()).isEqualTo(end - 1);
    assertThat(live).isNotNull();
    assertThat(live.getSeq()).isGreaterThanOrEqualTo(end);
    assertThat(live.getResource()).isEqualTo("models/" + after);
    assertThat(live.getAction()).isEqualTo(AuditAction.AUDIT_ACTION_MODEL_CREATED);
    assertThat(live.getActor()).isEqualTo("live");
  }

  @Test
  void manyFollowers_costNoThreadEach_andEachGetsEveryNewEvent() throws Exception {
    long end = AuditGrpc.newBlockingStub(TestRegistry.channel())
        .verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance()).getTreeSize();
    int threadsBefore = java.lang.management.ManagementFactory.getThreadMXBean().getThreadCount();
    List<BlockingQueue<AuditEvent>> streams = new ArrayList<>();
    Context.CancellableContext following = Context.current().withCancellation();
    for (int i = 0; i < 100; i++) {
      BlockingQueue<AuditEvent> received = new LinkedBlockingQueue<>();
      streams.add(received);
      following.run(() -> AuditGrpc.newStub(TestRegistry.channel()).streamAuditEvents(
          StreamAuditEventsRequest.newBuilder().setStartSeq(end).build(), collect(received)));
    }
    String model = uniqueModel("followed");
    registry("live").createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    try {
      for (BlockingQueue<AuditEvent> received : streams) {
        AuditEvent event = received.poll(10, TimeUnit.SECONDS);
        assertThat(event).isNotNull();
        assertThat(event.getResource()).isEqualTo("models/" + model);
      }
      int threadsFollowing = java.lang.management.ManagementFactory.getThreadMXBean().getThreadCount();
      assertThat(threadsFollowing - threadsBefore).as("threads added by 100 followers").isLessThan(40);
    } finally {
      following.cancel(null);
    }
  }

  @Test
  void aNegativeStart_isRefused() throws Exception {
    BlockingQueue<Throwable> failed = new LinkedBlockingQueue<>();
    AuditGrpc.newStub(TestRegistry.channel()).streamAuditEvents(
        StreamAuditEventsRequest.newBuilder().setStartSeq(-1).build(), new io.grpc.stub.StreamObserver<>() {
          @Override
          public void onNext(AuditEvent event) {}

          @Override
          public void onError(Throwable t) {
            failed.add(t);
          }

          @Override
          public void onCompleted() {}
        });
    Throwable error = failed.poll(10, TimeUnit.SECONDS);
    assertThat(io.grpc.Status.fromThrowable(error).getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
    assertThat(TestRegistry.violations((io.grpc.StatusRuntimeException) error).get(0).getField())
        .isEqualTo("start_seq");
  }

  private static io.grpc.stub.StreamObserver<AuditEvent> collect(BlockingQueue<AuditEvent> into) {
    return new io.grpc.stub.StreamObserver<>() {
      @Override
      public void onNext(AuditEvent event) {
        into.add(event);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }
}
