package io.gantry.server.webhook;

import io.gantry.proto.WebhookSignatures;
import io.gantry.server.change.ChangeSubscriber;
import io.gantry.server.config.ServerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the outbox. Each sender thread locks one webhook whose next delivery is due ({@code FOR NO KEY UPDATE SKIP
 * LOCKED}, so senders of every replica share the work and never send one attempt twice), sends that delivery,
 * and records the outcome in the same transaction. A webhook's deliveries leave one at a time in audit order: a
 * failing one is retried with exponential backoff and jitter and holds the later ones back, until it is sent or
 * dead. A server that dies mid-send leaves the delivery pending, and it is sent again: at least once.
 */
public final class WebhookDispatcher implements ChangeSubscriber, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
  private static final int ERROR_BODY_CHARS = 200;
  private static final Duration OUTAGE_WAIT_MAX = Duration.ofMinutes(1);
  private static final Duration BACKLOG_MAX_AGE = Duration.ofSeconds(1);

  private final DSLContext dsl;
  private final WebhookRepository repository;
  private final ServerConfig.Webhooks settings;
  private final Clock clock;
  private final HttpClient http;
  private final Counter sent;
  private final Counter failed;
  private final Counter dead;
  private final Object signal = new Object();
  private final List<Thread> senders = new ArrayList<>();
  private boolean woken;
  private volatile boolean closed;
  private volatile BacklogSample lastBacklog;

  public WebhookDispatcher(DSLContext dsl, WebhookRepository repository, ServerConfig.Webhooks settings, Clock clock,
      MeterRegistry metrics) {
    this.dsl = dsl;
    this.repository = repository;
    this.settings = settings;
    this.clock = clock;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(settings.timeout())
        .followRedirects(HttpClient.Redirect.NEVER).build();
    this.sent = outcome(metrics, "sent", "deliveries the receiver accepted (2xx)");
    this.failed = outcome(metrics, "failed", "attempts that failed and will be retried");
    this.dead = outcome(metrics, "dead", "deliveries given up after the last attempt");
    Gauge.builder("gantry.webhook.pending", this, d -> d.backlog().map(b -> (double) b.pending()).orElse(Double.NaN))
        .description("Webhook deliveries waiting to be sent or retried, on every replica")
        .register(metrics);
    Gauge.builder("gantry.webhook.lag", this, d -> d.backlog().map(b -> b.oldest()
            .map(oldest -> Math.max(0, Duration.between(oldest, clock.instant()).toMillis() / 1000.0)).orElse(0.0))
            .orElse(Double.NaN))
        .baseUnit("seconds")
        .description("Age of the oldest webhook event not yet delivered; 0 when none waits")
        .register(metrics);
  }

  private static Counter outcome(MeterRegistry metrics, String outcome, String description) {
    return Counter.builder("gantry.webhook.deliveries").tag("outcome", outcome).description(description)
        .register(metrics);
  }

  public void start() {
    for (int i = 1; i <= settings.senders(); i++) {
      Thread thread = new Thread(this::run, "gantry-webhook-sender-" + i);
      thread.setDaemon(true);
      senders.add(thread);
      thread.start();
    }
  }

  /** Deliveries were queued: look now rather than at the next poll. */
  public void wake() {
    synchronized (signal) {
      woken = true;
      signal.notifyAll();
    }
  }

  private void run() {
    int failures = 0;
    while (!closed) {
      boolean delivered;
      try {
        delivered = deliverNext();
        failures = 0;
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        if (failures++ == 0) {
          log.warn("Could not send webhooks (retrying while it lasts): {}", e.toString());
        }
        delivered = false;
      }
      // the database is down: look less often the longer it stays so, up to a minute
      long wait = Math.min(OUTAGE_WAIT_MAX.toMillis(), settings.poll().toMillis() << Math.min(failures, 16));
      if (!delivered && !await(wait)) {
        return;
      }
    }
  }

  /** Waits for a wake-up or {@code millis}; false once closed. */
  private boolean await(long millis) {
    synchronized (signal) {
      try {
        if (!woken) {
          signal.wait(millis);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      woken = false;
    }
    return !closed;
  }

  /** Sends one due delivery, if there is one; false when nothing was due. */
  boolean deliverNext() {
    return dsl.transactionResult(configuration -> {
      DSLContext tx = configuration.dsl();
      Optional<WebhookRepository.Target> target = repository.claimDue(tx);
      if (target.isEmpty()) {
        return false;
      }
      String webhookId = target.get().webhookId();
      WebhookRepository.Next next = repository.next(tx, webhookId).orElseThrow();
      Attempt attempt = send(target.get(), next);
      int attempts = next.attempts() + 1;
      if (attempt.succeeded()) {
        repository.sent(tx, webhookId, next.eventId(), attempts, attempt.status());
        sent.increment();
      } else if (attempts >= settings.maxAttempts()) {
        repository.failed(tx, webhookId, next.eventId(), attempts, attempt.status(), attempt.error(),
            Optional.empty());
        dead.increment();
        log.warn("Webhook delivery webhooks/{}/deliveries/{} is dead after {} attempts: {}", webhookId,
            next.eventId(), attempts, attempt.error());
      } else {
        Duration delay = retryDelay(attempts);
        repository.failed(tx, webhookId, next.eventId(), attempts, attempt.status(), attempt.error(),
            Optional.of(delay));
        failed.increment();
        log.info("Webhook delivery webhooks/{}/deliveries/{} failed (attempt {}), retrying in {} ms: {}", webhookId,
            next.eventId(), attempts, delay.toMillis(), attempt.error());
      }
      return true;
    });
  }

  private record Attempt(int status, String error) {
    boolean succeeded() {
      return status >= 200 && status < 300;
    }
  }

  private Attempt send(WebhookRepository.Target target, WebhookRepository.Next next) {
    String id = next.eventId().toString();
    long timestamp = clock.instant().getEpochSecond();
    byte[] key = WebhookSignature.key(target.secret())
        .orElseThrow(() -> new IllegalStateException("webhooks/" + target.webhookId() + " has a malformed secret"));
    HttpRequest request;
    try {
      request = HttpRequest.newBuilder(URI.create(target.url()))
          .timeout(settings.timeout())
          .header("Content-Type", CloudEvents.CONTENT_TYPE)
          .header("User-Agent", "gantry-webhooks")
          .header("webhook-id", id)
          .header("webhook-timestamp", Long.toString(timestamp))
          .header("webhook-signature", WebhookSignatures.header(key, id, timestamp, next.body()))
          .POST(HttpRequest.BodyPublishers.ofString(next.body(), StandardCharsets.UTF_8))
          .build();
    } catch (IllegalArgumentException e) {
      return new Attempt(0, "the URL cannot be used: " + e.getMessage());
    }
    try {
      HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      String start;
      try (InputStream body = response.body()) {
        start = new String(body.readNBytes(ERROR_BODY_CHARS), StandardCharsets.UTF_8);
        // read to the end, so the connection can carry the next delivery
        body.transferTo(OutputStream.nullOutputStream());
      }
      if (response.statusCode() >= 200 && response.statusCode() < 300) {
        return new Attempt(response.statusCode(), "");
      }
      return new Attempt(response.statusCode(), DeliveryFailure.answered(request.uri(), response.statusCode(), start));
    } catch (IOException e) {
      return new Attempt(0, DeliveryFailure.notSent(request.uri(), e, settings.timeout()));
    } catch (InterruptedException e) {
      // shutting down: roll back, so the delivery stays pending with the attempts it had
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending to webhooks/" + target.webhookId(), e);
    }
  }

  /** The delay after the {@code attempts}-th failure: doubling from the first retry, capped, half of it random. */
  Duration retryDelay(int attempts) {
    long first = settings.firstRetry().toMillis();
    long delay = Math.min(settings.maxRetry().toMillis(), first << Math.min(attempts - 1, 30));
    return Duration.ofMillis(delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1));
  }

  /** The backlog, read at most once a second: both gauges ask for it at every scrape. */
  private Optional<WebhookRepository.Backlog> backlog() {
    BacklogSample sample = lastBacklog;
    long now = System.nanoTime();
    if (sample == null || now - sample.readAt() > BACKLOG_MAX_AGE.toNanos()) {
      Optional<WebhookRepository.Backlog> read;
      try {
        read = Optional.of(repository.backlog(dsl));
      } catch (RuntimeException e) {
        read = Optional.empty();
      }
      sample = new BacklogSample(now, read);
      lastBacklog = sample;
    }
    return sample.backlog();
  }

  private record BacklogSample(long readAt, Optional<WebhookRepository.Backlog> backlog) {}


  @Override
  public void changed(Set<String> models) {
    // another replica may have queued deliveries
    wake();
  }

  @Override
  public void listenerLost() {}

  @Override
  public void resynced() {
    wake();
  }

  @Override
  public void close() {
    closed = true;
    senders.forEach(Thread::interrupt);
    for (Thread sender : senders) {
      try {
        sender.join(settings.timeout().toMillis() + 1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
