package io.gantry.server.api;

import com.google.protobuf.Empty;
import io.gantry.server.auth.Caller;
import io.gantry.server.webhook.WebhookService;
import io.gantry.v1.CreateWebhookRequest;
import io.gantry.v1.CreateWebhookResponse;
import io.gantry.v1.DeleteWebhookRequest;
import io.gantry.v1.GetWebhookRequest;
import io.gantry.v1.ListWebhookDeliveriesRequest;
import io.gantry.v1.ListWebhookDeliveriesResponse;
import io.gantry.v1.ListWebhooksRequest;
import io.gantry.v1.ListWebhooksResponse;
import io.gantry.v1.RedeliverWebhookDeliveryRequest;
import io.gantry.v1.Webhook;
import io.gantry.v1.WebhookDelivery;
import io.gantry.v1.WebhooksGrpc;
import io.grpc.stub.StreamObserver;

/** The gRPC face of {@code gantry.v1.Webhooks}. No rules live here. */
public final class WebhooksEndpoint extends WebhooksGrpc.WebhooksImplBase {

  private final WebhookService webhooks;

  public WebhooksEndpoint(WebhookService webhooks) {
    this.webhooks = webhooks;
  }

  @Override
  public void createWebhook(CreateWebhookRequest request, StreamObserver<CreateWebhookResponse> observer) {
    Rpc.unary(observer, () -> {
      Webhook webhook = request.getWebhook();
      var created = webhooks.create(request.getWebhookId(), webhook.getUrl(), webhook.getEventTypesList(),
          webhook.getModelPattern(), webhook.getSecret(), webhook.getDescription(), Caller.principal());
      return CreateWebhookResponse.newBuilder().setWebhook(toProto(created.webhook()))
          .setSecret(created.generatedSecret().orElse("")).build();
    });
  }

  @Override
  public void getWebhook(GetWebhookRequest request, StreamObserver<Webhook> observer) {
    Rpc.unary(observer, () -> toProto(webhooks.get(request.getName())));
  }

  @Override
  public void listWebhooks(ListWebhooksRequest request, StreamObserver<ListWebhooksResponse> observer) {
    Rpc.unary(observer, () -> ListWebhooksResponse.newBuilder()
        .addAllWebhooks(webhooks.list().stream().map(WebhooksEndpoint::toProto).toList()).build());
  }

  @Override
  public void deleteWebhook(DeleteWebhookRequest request, StreamObserver<Empty> observer) {
    Rpc.unary(observer, () -> {
      webhooks.delete(request.getName(), Caller.principal());
      return Empty.getDefaultInstance();
    });
  }

  @Override
  public void listWebhookDeliveries(ListWebhookDeliveriesRequest request,
      StreamObserver<ListWebhookDeliveriesResponse> observer) {
    Rpc.unary(observer, () -> {
      var page = webhooks.deliveries(request.getParent(), Caller.principal(), request.getPageSize(),
          request.getPageToken(), request.getFilter());
      return ListWebhookDeliveriesResponse.newBuilder()
          .addAllDeliveries(page.items().stream().map(WebhooksEndpoint::toProto).toList())
          .setNextPageToken(page.nextPageToken()).build();
    });
  }

  @Override
  public void redeliverWebhookDelivery(RedeliverWebhookDeliveryRequest request,
      StreamObserver<WebhookDelivery> observer) {
    Rpc.unary(observer, () -> toProto(webhooks.redeliver(request.getName(), Caller.principal())));
  }

  private static Webhook toProto(io.gantry.server.webhook.Webhook webhook) {
    return Webhook.newBuilder().setName(webhook.name()).setUrl(webhook.url())
        .addAllEventTypes(webhook.eventTypes()).setModelPattern(webhook.modelPattern())
        .setDescription(webhook.description()).setCreateTime(Rpc.timestamp(webhook.createTime()))
        .setCreatedBy(webhook.createdBy()).build();
  }

  private static WebhookDelivery toProto(io.gantry.server.webhook.WebhookDelivery delivery) {
    var proto = WebhookDelivery.newBuilder().setName(delivery.name()).setEventId(delivery.eventId().toString())
        .setEventType(delivery.eventType()).setSubject(delivery.subject()).setAuditSeq(delivery.auditSeq())
        .setState(WebhookDelivery.State.valueOf(delivery.state().name())).setAttempts(delivery.attempts())
        .setCreateTime(Rpc.timestamp(delivery.createTime())).setLastStatusCode(delivery.lastStatusCode())
        .setLastError(delivery.lastError());
    delivery.nextAttemptTime().ifPresent(time -> proto.setNextAttemptTime(Rpc.timestamp(time)));
    delivery.lastAttemptTime().ifPresent(time -> proto.setLastAttemptTime(Rpc.timestamp(time)));
    delivery.deliverTime().ifPresent(time -> proto.setDeliverTime(Rpc.timestamp(time)));
    return proto.build();
  }
}
