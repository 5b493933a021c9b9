package io.gantry.server.webhook;

import static io.gantry.db.Tables.WEBHOOK_DELIVERY;

import io.gantry.server.audit.Action;
import io.gantry.server.audit.Payload;
import io.gantry.server.common.Digests;
import io.gantry.server.common.ModelGlob;
import io.gantry.server.common.Names;
import io.gantry.server.common.Transactions;
import io.gantry.server.common.Violations;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import io.gantry.server.query.FilterSchema;
import io.gantry.server.query.ListQuery;
import io.gantry.server.query.PageTokens;
import io.gantry.server.query.SortKey;
import io.gantry.policy.PolicyFile;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jooq.DSLContext;

/** Subscriptions and their deliveries, as admins manage them; the outbox and the dispatcher do the sending. */
public final class WebhookService {

  private static final int MAX_URL = 2048;
  private static final int MAX_DESCRIPTION = 1024;
  private static final Pattern DELIVERY_NAME =
      Pattern.compile("webhooks/([^/]*)/deliveries/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
          + "[0-9a-fA-F]{12})");
  private static final Map<String, SortKey<?>> BY_SEQ =
      SortKey.byName(SortKey.number("audit_seq", WEBHOOK_DELIVERY.AUDIT_SEQ));
  private static final FilterSchema DELIVERY_FILTER = new FilterSchema().enumeration("state", WEBHOOK_DELIVERY.STATE,
      Arrays.stream(WebhookDelivery.State.values()).map(Enum::name).collect(Collectors.toSet()));

  private final DSLContext dsl;
  private final Transactions transactions;
  private final WebhookRepository repository;
  private final PageTokens pageTokens;

  public WebhookService(DSLContext dsl, Transactions transactions, WebhookRepository repository,
      PageTokens pageTokens) {
    this.dsl = dsl;
    this.transactions = transactions;
    this.repository = repository;
    this.pageTokens = pageTokens;
  }

  /** What a new webhook is and what it signs with. */
  public record Created(Webhook webhook, Optional<String> generatedSecret) {}

  /**
   * @param secret empty to have one generated
   */
  public Created create(String id, String url, List<String> eventTypes, String modelPattern, String secret,
      String description, String actor) {
    Webhook webhook = checked(Fields.REQUEST, id, url, eventTypes, modelPattern, secret, description, actor);
    String signingSecret = secret.isEmpty() ? WebhookSignature.generateSecret() : secret;
    Webhook created = transactions.write(actor, tx -> {
      Webhook inserted = repository.insert(tx.dsl(), webhook, signingSecret).orElseThrow(() -> new GantryException(
          ErrorCode.WEBHOOK_ALREADY_EXISTS, webhook.name() + " already exists: delete it first to change it"));
      tx.record(Action.WEBHOOK_CREATED, inserted.name(), describe(inserted));
      return inserted;
    });
    return new Created(created, secret.isEmpty() ? Optional.of(signingSecret) : Optional.empty());
  }

  /**
   * Makes or changes the policy file's webhooks to be as it says; one already like that is left alone, so applying
   * the same file again changes nothing. Webhooks not in the file are kept.
   */
  public void apply(List<PolicyFile.WebhookSpec> specs, String actor) {
    for (int i = 0; i < specs.size(); i++) {
      PolicyFile.WebhookSpec spec = specs.get(i);
      Fields fields = Fields.policyFile(i);
      String secret;
      try {
        secret = Files.readString(Path.of(spec.secretFile())).strip();
      } catch (IOException | InvalidPathException e) {
        throw GantryException.invalid(fields.secret(), spec.secretFile() + " cannot be read: " + e.getMessage());
      }
      if (secret.isEmpty()) {
        throw GantryException.invalid(fields.secret(), spec.secretFile() + " is empty: write a "
            + WebhookSignature.PREFIX + " secret there (gantry webhooks create prints one)");
      }
      apply(checked(fields, spec.id(), spec.url(), spec.events(), spec.modelPattern(), secret, spec.description(),
          actor), secret, actor);
    }
  }

  private void apply(Webhook wanted, String secret, String actor) {
    String id = wanted.id();
    transactions.write(actor, tx -> {
      Optional<Webhook> existing = repository.find(tx.dsl(), id);
      if (existing.isEmpty()) {
        repository.insert(tx.dsl(), wanted, secret).ifPresentOrElse(
            inserted -> tx.record(Action.WEBHOOK_CREATED, inserted.name(), describe(inserted)),
            // another replica applying the same file at start was first
            tx::unchanged);
        return null;
      }
      Webhook before = existing.get();
      boolean sameSecret = repository.secret(tx.dsl(), id).orElseThrow().equals(secret);
      if (sameSecret && before.url().equals(wanted.url()) && before.eventTypes().equals(wanted.eventTypes())
          && before.modelPattern().equals(wanted.modelPattern()) && before.description().equals(wanted.description())) {
        tx.unchanged();
        return null;
      }
      repository.update(tx.dsl(), wanted, secret);
      Map<String, Object> change = Payload.of("before", describe(before), "after", describe(wanted),
          "secret_changed", !sameSecret);
      tx.record(Action.WEBHOOK_UPDATED, before.name(), change);
      return null;
    });
  }

  public Webhook get(String name) {
    String id = parseName("name", name);
    return repository.find(dsl, id).orElseThrow(() -> notFound(name));
  }

  public List<Webhook> list() {
    return repository.all(dsl);
  }

  public void delete(String name, String actor) {
    String id = parseName("name", name);
    transactions.write(actor, tx -> {
      Webhook webhook = repository.find(tx.dsl(), id).orElseThrow(() -> notFound(name));
      repository.delete(tx.dsl(), id);
      tx.record(Action.WEBHOOK_DELETED, webhook.name(), describe(webhook));
      return null;
    });
  }

  /** @param caller who asks: only they may turn the page */
  public ListQuery.Page<WebhookDelivery> deliveries(String parent, String caller, int pageSize, String pageToken,
      String filter) {
    String id = parseName("parent", parent);
    ListQuery query = ListQuery.of(new ListQuery.Request(parent, caller, pageSize, pageToken, filter, ""),
        DELIVERY_FILTER, BY_SEQ, "audit_seq", WEBHOOK_DELIVERY.AUDIT_SEQ, pageTokens);
    if (repository.find(dsl, id).isEmpty()) {
      throw notFound(parent);
    }
    return repository.deliveries(dsl, id, query);
  }

  public WebhookDelivery redeliver(String name, String actor) {
    Matcher matcher = DELIVERY_NAME.matcher(name);
    if (!matcher.matches()) {
      throw GantryException.invalid("name", "'" + Names.printable(name)
          + "' is not a delivery name: webhooks/{webhook}/deliveries/{event_id}");
    }
    String id = matcher.group(1);
    UUID eventId = UUID.fromString(matcher.group(2));
    return transactions.write(actor, tx -> {
      if (!repository.requeue(tx.dsl(), id, eventId)) {
        throw notFound(name);
      }
      WebhookDelivery delivery = repository.delivery(tx.dsl(), id, eventId).orElseThrow();
      tx.record(Action.WEBHOOK_REDELIVERED, delivery.name(), Payload.of("event_type", delivery.eventType(),
          "subject", delivery.subject(), "audit_seq", delivery.auditSeq()));
      return delivery;
    });
  }

  /** How errors name the fields: the API's request fields, or the policy file's keys. */
  private record Fields(String id, String prefix, String secret) {
    static final Fields REQUEST = new Fields("webhook_id", "webhook.", "webhook.secret");

    static Fields policyFile(int index) {
      String prefix = "webhooks[" + index + "].";
      return new Fields(prefix + "id", prefix, prefix + "secret_file");
    }
  }

  private static Webhook checked(Fields fields, String id, String url, List<String> eventTypes,
      String modelPattern, String secret, String description, String actor) {
    String field = fields.prefix();
    Violations violations = new Violations().line(field + "description", description, MAX_DESCRIPTION);
    if (!Webhook.ID.matcher(id).matches()) {
      violations.add(fields.id(), "'" + Names.printable(id)
          + "' must be 1 to 63 lowercase letters, digits and '-', starting with a letter");
    }
    checkUrl(violations, field + "url", url);
    for (int i = 0; i < eventTypes.size(); i++) {
      if (!CloudEvents.ALL_TYPES.contains(eventTypes.get(i))) {
        violations.add(field + "event_types[" + i + "]", "'" + Names.printable(eventTypes.get(i))
            + "' is not an event type: one of " + String.join(", ", CloudEvents.ALL_TYPES));
      }
    }
    String pattern = modelPattern.isEmpty() ? "*" : modelPattern;
    if (!ModelGlob.SYNTAX.matcher(pattern).matches()) {
      violations.add(field + "model_pattern", "'" + Names.printable(modelPattern) + "' is not "
          + ModelGlob.SYNTAX_HINT);
    }
    if (!secret.isEmpty() && WebhookSignature.key(secret).isEmpty()) {
      violations.add(fields.secret(), "must be '" + WebhookSignature.PREFIX + "' followed by the base64 of "
          + WebhookSignature.MIN_KEY_BYTES + " to " + WebhookSignature.MAX_KEY_BYTES + " random bytes, or empty to "
          + "have one made");
    }
    violations.throwIfAny();
    return new Webhook(id, url, eventTypes.stream().distinct().sorted().toList(), pattern, description,
        null, actor);
  }

  private static void checkUrl(Violations violations, String field, String url) {
    if (url.isEmpty()) {
      violations.add(field, "is required");
      return;
    }
    violations.line(field, url, MAX_URL);
    try {
      URI uri = new URI(url);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        violations.add(field, "'" + Names.printable(url) + "' must be an absolute http:// or https:// URL");
      } else if (uri.getUserInfo() != null) {
        violations.add(field, "must not carry a user name or password: the signature authenticates Gantry");
      }
    } catch (URISyntaxException e) {
      violations.add(field, "is not a valid URL: " + e.getMessage());
    }
  }

  private static String parseName(String field, String name) {
    if (!name.startsWith(Webhook.PREFIX) || !Webhook.ID.matcher(name.substring(Webhook.PREFIX.length())).matches()) {
      throw GantryException.invalid(field, "'" + Names.printable(name) + "' is not a webhook name: webhooks/{webhook}");
    }
    return name.substring(Webhook.PREFIX.length());
  }

  private static GantryException notFound(String name) {
    return new GantryException(ErrorCode.WEBHOOK_NOT_FOUND, name + " does not exist");
  }

  /**
   * A webhook in the audit log, which no one can edit: never its secret, and of its URL (often a secret too, a
   * token in its path or query) only where it points and a digest to tell whether two URLs are the same.
   */
  private static Map<String, Object> describe(Webhook webhook) {
    URI url = URI.create(webhook.url());
    String origin = url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
    return Payload.of("url_origin", origin, "url_sha256", HexFormat.of().formatHex(
        Digests.sha256(webhook.url().getBytes(StandardCharsets.UTF_8))), "event_types",
        webhook.eventTypes(), "model_pattern", webhook.modelPattern(), "description", webhook.description());
  }
}
