package io.gantry.client.cli;

import static io.gantry.client.cli.Cells.time;
import static io.gantry.client.cli.Cells.timeAndActor;

import io.gantry.v1.CreateWebhookResponse;
import io.gantry.v1.ListWebhookDeliveriesResponse;
import io.gantry.v1.ListWebhooksResponse;
import io.gantry.v1.Webhook;
import io.gantry.v1.WebhookDelivery;
import java.nio.file.Path;

/** How {@code gantry webhooks} shows webhooks, the secret of one just made, and deliveries. */
final class WebhookView {

  private WebhookView() {
  }

  static void created(Printer printer, CreateWebhookResponse created, Path secretFile) {
    printer.print(created, out -> {
      block(created.getWebhook()).print(out);
      out.println();
      out.println(secretFile != null
          ? "secret written to " + secretFile + " (readable by its owner only; the server cannot show it again)"
          : "secret (shown once, give it to the receiver now): " + created.getSecret());
    });
  }

  static void webhook(Printer printer, Webhook webhook) {
    printer.printTable(webhook, () -> block(webhook));
  }

  static void webhooks(Printer printer, ListWebhooksResponse webhooks) {
    printer.printTable(webhooks, () -> {
      TextTable table = new TextTable().row("NAME", "URL", "EVENTS", "MODELS", "CREATED", "CREATED_BY");
      for (Webhook webhook : webhooks.getWebhooksList()) {
        table.row(webhook.getName(), webhook.getUrl(), webhook.getEventTypesCount() == 0 ? "all"
            : String.join(",", webhook.getEventTypesList()), webhook.getModelPattern(), time(webhook.getCreateTime()),
            webhook.getCreatedBy());
      }
      return table;
    });
  }

  static void deliveries(Printer printer, ListWebhookDeliveriesResponse page) {
    printer.printPage(page, page.getNextPageToken(), () -> {
      TextTable table = new TextTable()
          .row("EVENT_ID", "SEQ", "TYPE", "SUBJECT", "STATE", "ATTEMPTS", "LAST_ATTEMPT", "NEXT_ATTEMPT", "LAST_ERROR");
      for (WebhookDelivery delivery : page.getDeliveriesList()) {
        table.row(delivery.getEventId(), Long.toString(delivery.getAuditSeq()), delivery.getEventType(),
            delivery.getSubject(), delivery.getState().name(), Integer.toString(delivery.getAttempts()),
            delivery.hasLastAttemptTime() ? time(delivery.getLastAttemptTime()) : "-",
            delivery.hasNextAttemptTime() ? time(delivery.getNextAttemptTime()) : "-",
            delivery.getLastError().isEmpty() ? "-" : delivery.getLastError());
      }
      return table;
    });
  }

  static void delivery(Printer printer, WebhookDelivery delivery) {
    printer.printTable(delivery, () -> new TextTable()
        .row("name", delivery.getName())
        .row("type", delivery.getEventType())
        .row("subject", delivery.getSubject())
        .row("state", delivery.getState().name())
        .row("attempts", Integer.toString(delivery.getAttempts()))
        .field("last_error", delivery.getLastError()));
  }

  private static TextTable block(Webhook webhook) {
    return new TextTable()
        .row("name", webhook.getName())
        .row("url", webhook.getUrl())
        .row("events", webhook.getEventTypesCount() == 0 ? "all" : String.join(", ", webhook.getEventTypesList()))
        .row("models", webhook.getModelPattern())
        .field("description", webhook.getDescription())
        .field("created", timeAndActor(webhook.getCreateTime(), webhook.getCreatedBy()));
  }
}
