package io.gantry.server.wiring;

import io.gantry.server.access.Permissions;
import io.gantry.server.api.AccessEndpoint;
import io.gantry.server.api.AliasWatchEndpoint;
import io.gantry.server.api.ArtifactsEndpoint;
import io.gantry.server.api.AttestationsEndpoint;
import io.gantry.server.api.AuditEndpoint;
import io.gantry.server.api.CachedReadsEndpoint;
import io.gantry.server.api.ImportsEndpoint;
import io.gantry.server.api.ModelRegistryEndpoint;
import io.gantry.server.api.PromotionsEndpoint;
import io.gantry.server.api.WebhooksEndpoint;
import io.gantry.server.attestation.AttestationService;
import io.gantry.server.audit.SigningKey;
import io.gantry.server.config.ServerConfig;
import io.gantry.server.imports.ImportRepository;
import io.gantry.server.imports.ImportService;
import io.gantry.server.webhook.WebhookService;
import io.grpc.ServerServiceDefinition;
import java.util.List;
import java.util.concurrent.ExecutorService;

/** Every gRPC service Gantry serves, each a thin adapter over its room's service; none without a permission rule. */
public final class Endpoints {

  /** The name the attestation key's note form carries; attestations use only its raw Ed25519 key. */
  private static final String ATTESTATION_KEY_NAME = "gantry-attestation";

  private Endpoints() {}

  /** @param workers where a cache miss of a cached read runs */
  public static List<ServerServiceDefinition> bind(ServerConfig config, Persistence persistence, Registry registry,
      Promotions promotions, Access access, WebhookService webhooks, ExecutorService workers) {
    var modelRegistry = new ModelRegistryEndpoint(registry.models(), registry.versions(), registry.aliases(),
        new AliasWatchEndpoint(registry.watches()));
    var cachedReads = new CachedReadsEndpoint(registry.cache(), registry.aliases(), registry.versions(), workers);
    List<ServerServiceDefinition> services = List.of(cachedReads.overlay(modelRegistry.bindService()),
        new PromotionsEndpoint(promotions.promotions(), promotions.bindings(), access.service()).bindService(),
        new ArtifactsEndpoint(promotions.artifacts()).bindService(),
        new AuditEndpoint(registry.audit(), registry.auditFollowers()).bindService(),
        new AccessEndpoint(access.service(), config.identity().rolesEnforced()).bindService(),
        new ImportsEndpoint(new ImportService(persistence.transactions(), new ImportRepository(),
            registry.aliasRepository())).bindService(),
        new AttestationsEndpoint(new AttestationService(persistence.database().dsl(), promotions.repository(),
            registry.versionRepository(), SigningKey.load(config.audit().attestationKeyFile(), ATTESTATION_KEY_NAME),
            config.audit().origin())).bindService(),
        new WebhooksEndpoint(webhooks).bindService());
    List<String> unruled = Permissions.missing(services);
    if (!unruled.isEmpty()) {
      throw new IllegalStateException("RPCs without a rule in Permissions: " + unruled);
    }
    return services;
  }
}
