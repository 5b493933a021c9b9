package io.gantry.server.wiring;

import io.gantry.policy.PolicyFile;
import io.gantry.server.webhook.WebhookService;
import java.util.Optional;

/**
 * Webhook subscriptions, with the policy file's. Their outbox and senders are {@link Persistence}'s: every commit
 * writes to the outbox.
 */
public final class Webhooks {

  private Webhooks() {}

  public static WebhookService subscriptions(Persistence persistence, Optional<PolicyFileText> policyFile) {
    var webhooks = new WebhookService(persistence.database().dsl(), persistence.transactions(),
        persistence.webhookRepository(), persistence.pageTokens());
    policyFile.ifPresent(file -> file.apply(PolicyFile::parseWebhooks, webhooks::apply));
    return webhooks;
  }
}
