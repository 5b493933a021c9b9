package io.gantry.client.cli;

import io.gantry.client.GantryClient;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.HttpServer;
import io.gantry.client.ResourceNames;
import io.gantry.client.WebhookVerifier;
import io.gantry.v1.CreateWebhookRequest;
import io.gantry.v1.CreateWebhookResponse;
import io.gantry.v1.DeleteWebhookRequest;
import io.gantry.v1.GetWebhookRequest;
import io.gantry.v1.ListWebhookDeliveriesRequest;
import io.gantry.v1.ListWebhookDeliveriesResponse;
import io.gantry.v1.ListWebhooksRequest;
import io.gantry.v1.RedeliverWebhookDeliveryRequest;
import io.gantry.v1.Webhook;
import io.gantry.v1.WebhookDelivery;
import java.io.IOException;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "webhooks",
    description = "Push the registry's changes (alias moves, promotions, versions) to HTTP receivers as signed "
        + "CloudEvents (docs/webhooks.md). Needs the admin role on every model.",
    subcommands = {WebhooksCommand.Create.class, WebhooksCommand.ListWebhooks.class, WebhooksCommand.Get.class,
        WebhooksCommand.Delete.class, WebhooksCommand.Deliveries.class, WebhooksCommand.Redeliver.class,
        WebhooksCommand.Receive.class})
final class WebhooksCommand extends CommandGroup {

  @Command(name = "create",
      description = "Make a webhook. The server makes its signing secret and shows it once (or writes it to "
          + "--secret-file): give it to the receiver, which checks every delivery's webhook-signature with it.")
  static final class Create implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(paramLabel = "ID", description = "The webhook's id (webhooks/ID): lowercase letters, digits, '-'.")
    String id;

    @Option(names = "--url", paramLabel = "URL", required = true, description = "Where to POST: http:// or https://.")
    String url;

    @Option(names = "--event", paramLabel = "TYPE",
        description = "Send only this type, e.g. io.gantry.alias.moved (repeatable; default: every type).")
    List<String> events = new ArrayList<>();

    @Option(names = "--models", paramLabel = "GLOB", defaultValue = "*",
        description = "Only the models whose names match, e.g. 'fraud-*' (default: every model).")
    String models;

    @Option(names = "--description", paramLabel = "TEXT", defaultValue = "", description = "What it is for.")
    String description;

    @Option(names = "--secret-file", paramLabel = "FILE",
        description = "Write the secret to FILE, made readable by its owner only (rw-------), instead of printing "
            + "it; a FILE that exists is refused before the webhook is made.")
    Path secretFile;

    @Override
    public Integer call() throws IOException {
      CreateWebhookRequest request = CreateWebhookRequest.newBuilder().setWebhookId(id)
          .setWebhook(Webhook.newBuilder().setUrl(url).addAllEventTypes(events).setModelPattern(models)
              .setDescription(description)).build();
      if (secretFile == null) {
        WebhookView.created(common.printer(), create(request), null);
        return GantryCli.EXIT_OK;
      }
      var created = SecretFile.create(common, secretFile, () -> create(request), CreateWebhookResponse::getSecret,
          c -> c.getWebhook().getName());
      if (created.isEmpty()) {
        return GantryCli.EXIT_OTHER;
      }
      WebhookView.created(common.printer(), created.get().toBuilder().clearSecret().build(), secretFile);
      return GantryCli.EXIT_OK;
    }

    private CreateWebhookResponse create(CreateWebhookRequest request) {
      try (GantryClient client = common.connect()) {
        return client.webhooks().createWebhook(request);
      }
    }
  }

  @Command(name = "list", description = "List the webhooks; never their secrets.")
  static final class ListWebhooks implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Override
    public Integer call() {
      try (GantryClient client = common.connect()) {
        WebhookView.webhooks(common.printer(),
            client.webhooks().listWebhooks(ListWebhooksRequest.getDefaultInstance()));
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "get", description = "Show one webhook.")
  static final class Get implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(paramLabel = "WEBHOOK", description = "webhooks/ID, or the ID alone.")
    String webhook;

    @Override
    public Integer call() {
      String name = common.resourceName(() -> ResourceNames.webhook(webhook));
      try (GantryClient client = common.connect()) {
        WebhookView.webhook(common.printer(),
            client.webhooks().getWebhook(GetWebhookRequest.newBuilder().setName(name).build()));
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "delete", description = "Delete a webhook, with its deliveries still waiting; nothing more is sent.")
  static final class Delete implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(paramLabel = "WEBHOOK", description = "webhooks/ID, or the ID alone.")
    String webhook;

    @Override
    public Integer call() {
      String name = common.resourceName(() -> ResourceNames.webhook(webhook));
      try (GantryClient client = common.connect()) {
        client.webhooks().deleteWebhook(DeleteWebhookRequest.newBuilder().setName(name).build());
      }
      common.printer().deleted(name);
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "deliveries",
      description = "A webhook's deliveries in the order they are sent: what was sent, what waits for a retry (and "
          + "why the last attempt failed), what is dead.")
  static final class Deliveries implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin PageOptions paging;

    @Parameters(paramLabel = "WEBHOOK", description = "webhooks/ID, or the ID alone.")
    String webhook;

    enum State { PENDING, SENT, DEAD }

    @Option(names = "--state", paramLabel = "STATE", description = "Only pending, sent or dead deliveries.")
    State state;

    @Override
    public Integer call() {
      String name = common.resourceName(() -> ResourceNames.webhook(webhook));
      var request = ListWebhookDeliveriesRequest.newBuilder().setParent(name).setPageSize(paging.pageSize);
      if (state != null) {
        request.setFilter("state = " + state.name());
      }
      try (GantryClient client = common.connect()) {
        WebhookView.deliveries(common.printer(), paging.fetch(
            token -> client.webhooks().listWebhookDeliveries(request.setPageToken(token).build()),
            ListWebhookDeliveriesResponse::getNextPageToken,
            (rows, more) -> rows.toBuilder().addAllDeliveries(more.getDeliveriesList())
                .setNextPageToken(more.getNextPageToken()).build()));
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "redeliver",
      description = "Queue deliveries again with their attempts reset: the ones named, or every dead one of a "
          + "webhook with --dead. They are sent before the webhook's later events, with the same ids.")
  static final class Redeliver implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(paramLabel = "DELIVERY", arity = "0..*",
        description = "webhooks/ID/deliveries/EVENT_ID (see gantry webhooks deliveries).")
    List<String> deliveries = new ArrayList<>();

    @Option(names = "--dead", paramLabel = "WEBHOOK", description = "Every dead delivery of this webhook.")
    String deadOf;

    @Override
    public Integer call() {
      if (deliveries.isEmpty() == (deadOf == null)) {
        throw common.usageError("name deliveries, or a webhook with --dead");
      }
      try (GantryClient client = common.connect()) {
        List<String> names = new ArrayList<>(deliveries);
        if (deadOf != null) {
          names.addAll(deadDeliveries(client, common.resourceName(() -> ResourceNames.webhook(deadOf))));
          if (names.isEmpty()) {
            common.err().println("no dead deliveries");
          }
        }
        for (String name : names) {
          WebhookView.delivery(common.printer(), client.webhooks().redeliverWebhookDelivery(
              RedeliverWebhookDeliveryRequest.newBuilder().setName(name).build()));
        }
      }
      return GantryCli.EXIT_OK;
    }

    private static List<String> deadDeliveries(GantryClient client, String webhook) {
      List<String> names = new ArrayList<>();
      String token = "";
      do {
        var page = client.webhooks().listWebhookDeliveries(ListWebhookDeliveriesRequest.newBuilder()
            .setParent(webhook).setFilter("state = " + WebhookDelivery.State.DEAD.name()).setPageSize(1000)
            .setPageToken(token).build());
        page.getDeliveriesList().forEach(d -> names.add(d.getName()));
        token = page.getNextPageToken();
      } while (!token.isEmpty());
      return names;
    }
  }

  @Command(name = "receive",
      description = {"Receive a webhook's deliveries here and print each event whose signature and timestamp hold: "
          + "to try a webhook, or as a deployer's simplest receiver (docs/webhooks.md).",
          "Answers 204 to a verified delivery (a repeated event id is answered but not printed again) and 401 to "
              + "one that does not verify, saying why on stderr. Prints one line per event (type, subject, audit "
              + "seq, event id), or the CloudEvent itself with -o json."})
  static final class Receive implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Option(names = "--port", paramLabel = "PORT", required = true, description = "The port to listen on.")
    int port;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
        description = "The address to listen on (default: loopback).")
    String host;

    @Option(names = "--secret-file", paramLabel = "FILE", required = true,
        description = "The webhook's secret, as gantry webhooks create wrote it.")
    Path secretFile;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0",
        description = "Exit after N events (default: run until interrupted).")
    int count;

    @Override
    public Integer call() throws Exception {
      WebhookVerifier verifier;
      try {
        verifier = WebhookVerifier.of(Files.readString(secretFile));
      } catch (IOException | IllegalArgumentException e) {
        throw common.usageError("--secret-file " + secretFile + " cannot be used: " + e.getMessage());
      }
      CountDownLatch events = new CountDownLatch(count > 0 ? count : 1);
      Set<String> seen = ConcurrentHashMap.newKeySet();
      HttpServer server;
      try {
        server = HttpServer.create(new InetSocketAddress(host, port), 0);
      } catch (IOException e) {
        throw common.usageError("cannot listen on " + host + ":" + port + ": " + e.getMessage());
      }
      server.createContext("/", exchange -> {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        var headers = exchange.getRequestHeaders();
        int status = HttpURLConnection.HTTP_NO_CONTENT;
        boolean first = false;
        try {
          verifier.verify(headers.getFirst("webhook-id"), headers.getFirst("webhook-timestamp"),
              headers.getFirst("webhook-signature"), body, Instant.now());
          first = seen.add(headers.getFirst("webhook-id"));
          if (first) {
            print(body);
          }
        } catch (WebhookVerifier.Rejected e) {
          status = HttpURLConnection.HTTP_UNAUTHORIZED;
          common.err().println("refused a delivery: " + e.getMessage());
          common.err().flush();
        }
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
        // counted once answered: the last event's sender must hear that it arrived
        if (first) {
          events.countDown();
        }
      });
      server.start();
      common.err().println("receiving on http://" + host + ":" + server.getAddress().getPort() + "/");
      common.err().flush();
      try {
        if (count > 0) {
          events.await();
        } else {
          new CountDownLatch(1).await();
        }
      } finally {
        server.stop(1);
      }
      return GantryCli.EXIT_OK;
    }

    private synchronized void print(String body) throws IOException {
      PrintStream out = common.stdout();
      if (common.json()) {
        out.println(body);
      } else {
        Struct.Builder event = Struct.newBuilder();
        JsonFormat.parser().merge(body, event);
        out.println(text(event, "type") + " " + text(event, "subject") + " seq=" + text(event, "gantryauditseq")
            + " id=" + text(event, "id"));
      }
      out.flush();
    }

    private static String text(Struct.Builder event, String field) {
      var value = event.getFieldsOrDefault(field, Value.getDefaultInstance());
      return value.hasNumberValue() ? Long.toString((long) value.getNumberValue()) : value.getStringValue();
    }
  }
}
