/** Webhooks: subscriptions, the transactional outbox of CloudEvents, and the senders that deliver it, signed. */
package io.gantry.server.webhook;
