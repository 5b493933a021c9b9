package io.gantry.server.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Value;
import io.gantry.server.GantryServer;
import io.gantry.v1.AuditAction;
import io.gantry.v1.AuditEvent;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.ListAuditEventsRequest;
import io.gantry.v1.ModelRegistryGrpc;
import io.grpc.Attributes;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Floods of refused calls, and what the audit log and /metrics say of them. */
final class RefusalTesting {

  private RefusalTesting() {}

  /** A channel to {@code server} whose connections come from {@code address} (any 127.0.0.x is this host). */
  static ManagedChannel from(GantryServer server, String address) {
    return NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext()
        .localSocketPicker(new NettyChannelBuilder.LocalSocketPicker() {
          @Override
          public InetSocketAddress createSocketAddress(SocketAddress remote, Attributes attributes) {
            return new InetSocketAddress(address, 0);
          }
        }).build();
  }

  /** {@code calls} creates with {@code token} (none when null), eight at a time; each must end {@code expected}. */
  static void flood(ManagedChannel channel, String token, int calls, Status.Code expected) throws Exception {
    var registry = VerifiedServer.bearer(ModelRegistryGrpc.newBlockingStub(channel), token);
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try {
      List<Future<Status.Code>> codes = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        codes.add(callers.submit(() -> catchThrowableOfType(() -> registry.createModel(CreateModelRequest
            .newBuilder().setModelId("flood").build()), StatusRuntimeException.class).getStatus().getCode()));
      }
      for (Future<Status.Code> code : codes) {
        assertThat(code.get()).isEqualTo(expected);
      }
    } finally {
      callers.shutdownNow();
    }
  }

  /** The {@code CREDENTIAL_REJECTED} events of exactly {@code resource}, oldest first. */
  static List<AuditEvent> rejections(AuditGrpc.AuditBlockingStub audit, String resource) {
    List<AuditEvent> events = new ArrayList<>();
    String token = "";
    do {
      var page = audit.listAuditEvents(ListAuditEventsRequest.newBuilder().setResourcePrefix(resource)
          .setAction(AuditAction.AUDIT_ACTION_CREDENTIAL_REJECTED).setPageSize(1000).setPageToken(token).build());
      page.getEventsList().stream().filter(event -> event.getResource().equals(resource)).forEach(events::add);
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    events.sort(Comparator.comparingLong(AuditEvent::getSeq));
    return events;
  }

  static long count(AuditEvent event) {
    return (long) event.getPayload().getFieldsOrThrow("count").getNumberValue();
  }

  static long total(List<AuditEvent> events) {
    return events.stream().mapToLong(RefusalTesting::count).sum();
  }

  static String string(AuditEvent event, String field) {
    return event.getPayload().getFieldsOrThrow(field).getStringValue();
  }

  static List<String> list(AuditEvent event, String field) {
    return event.getPayload().getFieldsOrThrow(field).getListValue().getValuesList().stream()
        .map(Value::getStringValue).toList();
  }

  /** The sum of the samples on the server's /metrics whose line starts with {@code prefix} (name, first tags). */
  static double metric(GantryServer server, String prefix) throws Exception {
    String scraped = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + server.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    return scraped.lines().filter(line -> line.startsWith(prefix))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
  }
}
