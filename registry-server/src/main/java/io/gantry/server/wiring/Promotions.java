package io.gantry.server.wiring;

import io.gantry.policy.Policies;
import io.gantry.policy.PolicyFile;
import io.gantry.policy.PolicyRunner;
import io.gantry.server.artifact.ArtifactJanitor;
import io.gantry.server.artifact.ArtifactRepository;
import io.gantry.server.artifact.ArtifactService;
import io.gantry.server.config.ServerConfig;
import io.gantry.server.pinning.SourcePinning;
import io.gantry.server.promotion.PolicyBindingRepository;
import io.gantry.server.promotion.PolicyBindingService;
import io.gantry.server.promotion.PromotionRepository;
import io.gantry.server.promotion.PromotionService;
import java.time.Clock;
import java.util.Deque;
import java.util.Optional;

/**
 * Promotions and what they move: policy bindings (with the policy file's), artifacts and their janitor, and the
 * pinning of versions registered through MLflow's API to their tracking server's files.
 */
public record Promotions(PolicyBindingService bindings, ArtifactService artifacts, PromotionRepository repository,
    PromotionService promotions, SourcePinning pinning, ArtifactJanitor janitor) {

  public static Promotions build(ServerConfig config, Persistence persistence, Registry registry,
      Optional<PolicyFileText> policyFile, Deque<AutoCloseable> opened) {
    var dsl = persistence.database().dsl();
    var transactions = persistence.transactions();
    var bindings = new PolicyBindingService(dsl, transactions, new PolicyBindingRepository(),
        Policies.discover(Promotions.class.getClassLoader()));
    var artifactRepository = new ArtifactRepository();
    var artifacts = new ArtifactService(dsl, transactions, artifactRepository, registry.versionRepository(),
        persistence.store());
    var repository = new PromotionRepository();
    var promotions = new PromotionService(dsl, transactions, repository, registry.aliasRepository(),
        registry.versionRepository(), bindings, artifacts, Clock.systemUTC(), config.promotion().ttl(),
        persistence.pageTokens(),
        new PolicyRunner(config.promotion().policyTimeLimit(), config.promotion().policyEvaluators()));
    // versions registered through MLflow's API get their files from its tracking server, when one is named
    var pinning = SourcePinning.start(config.mlflowTracking(), dsl, transactions, registry.versionRepository(),
        artifacts, config.dataDir().resolve("mlflow-pin-scratch"));
    opened.push(pinning);
    var janitor = new ArtifactJanitor(dsl, transactions, artifactRepository, registry.versionRepository(),
        persistence.store(), Clock.systemUTC(), config.artifacts().uploadTimeout(), config.artifacts().blobGrace());
    policyFile.ifPresent(file -> file.apply(PolicyFile::parse, bindings::apply));
    return new Promotions(bindings, artifacts, repository, promotions, pinning, janitor);
  }
}
