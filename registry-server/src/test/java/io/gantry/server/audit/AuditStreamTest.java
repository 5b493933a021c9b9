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
}
