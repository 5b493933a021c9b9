package io.gantry.server;

import io.gantry.server.access.AccessRepository;
import io.gantry.server.access.AccessService;
import io.gantry.server.access.AuthorizationInterceptor;
import io.gantry.server.access.Permissions;
import io.gantry.server.access.ReadableModels;
import io.gantry.server.access.RefusalLog;
import io.gantry.server.access.Role;
import io.gantry.server.access.RoleBinding;
import io.gantry.server.access.Scope;
import io.gantry.server.api.AccessEndpoint;
import io.gantry.server.api.AttestationsEndpoint;
import io.gantry.server.api.ImportsEndpoint;
import io.gantry.server.api.WebhooksEndpoint;
import io.gantry.server.common.CommitHook;
import io.gantry.server.webhook.WebhookDispatcher;
import io.gantry.server.webhook.WebhookOutbox;
import io.gantry.server.webhook.WebhookRepository;
import io.gantry.server.webhook.WebhookService;
import io.gantry.server.attestation.AttestationService;
import io.gantry.server.imports.ImportRepository;
import io.gantry.server.imports.ImportService;
import io.gantry.server.auth.ApiTokenAuthenticator;
import io.gantry.server.auth.Caller;
import io.gantry.server.auth.VerifiedIdentityInterceptor;
import io.gantry.server.auth.WebSessionInterceptor;
import io.gantry.server.session.WebSessions;
import io.gantry.server.ops.HttpRoute;
import io.gantry.server.common.SecretFiles;
import io.gantry.server.mlflowrest.MlflowArtifactsApi;
import io.gantry.server.mlflowrest.MlflowRestApi;
import io.gantry.server.pinning.SourcePinning;
import io.gantry.server.web.WebUi;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import io.gantry.policy.Policies;
import io.gantry.policy.PolicyRunner;
import io.gantry.policy.PolicyFile;
import io.gantry.policy.PolicyFileException;
import io.gantry.server.alias.AliasRepository;
import io.gantry.server.alias.AliasService;
import io.gantry.server.api.ArtifactsEndpoint;
import io.gantry.server.api.AliasWatchEndpoint;
import io.gantry.server.api.AuditEndpoint;
import io.gantry.server.api.CachedReadsEndpoint;
import io.gantry.server.api.ModelRegistryEndpoint;
import io.gantry.server.api.PromotionsEndpoint;
import io.gantry.server.artifact.ArtifactJanitor;
import io.gantry.server.artifact.ArtifactRepository;
import io.gantry.server.artifact.ArtifactService;
import io.gantry.server.artifact.store.ArtifactStore;
import io.gantry.server.artifact.store.ArtifactStores;
import io.gantry.server.audit.AuditLog;
import io.gantry.server.audit.AuditRepository;
import io.gantry.server.audit.AuditService;
import io.gantry.server.audit.Checkpointer;
import io.gantry.server.audit.SigningKey;
import io.gantry.server.auth.HeaderIdentityInterceptor;
import io.gantry.server.auth.JwtAuthenticator;
import io.gantry.server.cache.ResolveCache;
import io.gantry.server.change.ChangeFeed;
import io.gantry.server.common.Transactions;
import io.gantry.server.config.ConfigException;
import io.gantry.server.config.Database;
import io.gantry.server.config.ListenFailure;
import io.gantry.server.config.ServerConfig;
import io.gantry.server.error.GantryException;
import io.gantry.server.model.ModelRepository;
import io.gantry.server.model.ModelService;
import io.gantry.server.ops.CallMetrics;
import io.gantry.server.ops.HttpBoundary;
import io.gantry.server.ops.NetworkThreads;
import io.gantry.server.ops.OpsHttpServer;
import io.gantry.server.promotion.PolicyBindingRepository;
import io.gantry.server.promotion.PolicyBindingService;
import io.gantry.server.promotion.PromotionRepository;
import io.gantry.server.promotion.PromotionService;
import io.gantry.server.query.PageTokens;
import io.gantry.server.version.VersionRepository;
import io.gantry.server.version.VersionService;
import io.gantry.server.watch.AliasWatches;
import io.gantry.server.watch.AuditFollowers;
import io.gantry.server.wire.WireGuard;
import io.gantry.v1.ModelRegistryGrpc;
import io.grpc.Server;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Set;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole server wired together: database, services, gRPC. {@link Main} runs it; tests start it
 * the same way, so they exercise the production wiring.
 */
public final class GantryServer implements AutoCloseable {

  static {
    // jOOQ prints a banner and tips on first use; a server's log has no room for them
    System.setProperty("org.jooq.no-logo", "true");
    System.setProperty("org.jooq.no-tips", "true");
  }

  private static final Logger log = LoggerFactory.getLogger(GantryServer.class);
  private static final long DRAIN_SECONDS = 20;
  private static final Duration EXPIRY_SWEEP = Duration.ofSeconds(30);
  private static final Duration LISTENER_START_WAIT = Duration.ofSeconds(5);
  private static final Duration TOKEN_USE_FLUSH = Duration.ofSeconds(30);
  private static final Duration ACCESS_RELOAD = Duration.ofSeconds(60);
  private static final Duration SESSION_SWEEP = Duration.ofMinutes(5);
  /** The name the attestation key's note form carries; attestations use only its raw Ed25519 key. */
  private static final String ATTESTATION_KEY_NAME = "gantry-attestation";
  /** The principal of the token GANTRY_BOOTSTRAP_TOKEN_FILE receives. */
  static final String BOOTSTRAP_ADMIN = "bootstrap-admin";
  private static final String BOOTSTRAP_ACTOR = "system:bootstrap";
  /** Who changes bindings from the policy file, in the audit log. */
  static final String POLICY_FILE_ACTOR = "system:policy-file";

  private final Database database;
  private final Server server;
  private final LocalChannel local;
  private final HealthStatusManager health;
  private final ScheduledExecutorService background;
  private final Checkpointer checkpointer;
  private final ArtifactStore store;
  private final OpsHttpServer ops;
  private final JvmGcMetrics gcMetrics;
  private final AtomicBoolean serving;
  private final ChangeFeed changes;
  private final ExecutorService workers;
  private final NetworkThreads network;
  private final List<AutoCloseable> streams;
  private final WireGuard wire;
  private final WebhookDispatcher webhooks;
  private final RefusalLog refusals;
  private boolean closed;

  private GantryServer(Database database, Server server, LocalChannel local, HealthStatusManager health,
      ScheduledExecutorService background, Checkpointer checkpointer, ArtifactStore store, OpsHttpServer ops,
      JvmGcMetrics gcMetrics, AtomicBoolean serving, ChangeFeed changes, ExecutorService workers,
      NetworkThreads network, List<AutoCloseable> streams, WireGuard wire, WebhookDispatcher webhooks,
      RefusalLog refusals) {
    this.database = database;
    this.server = server;
    this.local = local;
    this.health = health;
    this.background = background;
    this.checkpointer = checkpointer;
    this.store = store;
    this.ops = ops;
    this.gcMetrics = gcMetrics;
    this.serving = serving;
    this.changes = changes;
    this.workers = workers;
    this.network = network;
    this.streams = streams;
    this.wire = wire;
    this.webhooks = webhooks;
    this.refusals = refusals;
  }

  /**
   * Opens the database (applying migrations) and starts serving.
   *
   * @throws ConfigException when a setting is wrong or the database or port cannot be had
   */
  public static GantryServer start(ServerConfig config) {
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    JvmGcMetrics gcMetrics = new JvmGcMetrics();
    for (MeterBinder binder : List.of(new JvmMemoryMetrics(), gcMetrics, new JvmThreadMetrics(),
        new ClassLoaderMetrics(), new ProcessorMetrics(), new UptimeMetrics())) {
      binder.bindTo(metrics);
    }
    // what start-up has opened so far, closed in reverse order if a later step fails
    Deque<AutoCloseable> opened = new ArrayDeque<>();
    try {
      Database database = Database.open(config, metrics);
      opened.push(database);
      var auditRepository = new AuditRepository(database.dsl());
      Checkpointer checkpointer = new Checkpointer(auditRepository,
          SigningKey.load(config.audit().keyFile(), config.audit().origin()), config.audit().origin(),
          config.audit().checkpointEveryEvents(), config.audit().checkpointInterval());
      opened.push(checkpointer);
      ArtifactStore store = ArtifactStores.open(config.artifacts().s3(), config.dataDir());
      opened.push(store);
      Duration ping = config.liveness().ping();
      ChangeFeed changes = new ChangeFeed(() -> database.openDedicated(ping), ping, metrics);
      changes.whenDatabaseLost(database::dropConnections);
      opened.push(changes);
      ExecutorService workers = workerPool(config.workerThreads());
      opened.push(workers::shutdownNow);
      var webhookRepository = new WebhookRepository();
      var webhookDispatcher = new WebhookDispatcher(database.dsl(), webhookRepository, config.webhooks(),
          Clock.systemUTC(), metrics);
      opened.push(webhookDispatcher);
      var transactions = new Transactions(database.dsl(), new AuditLog(checkpointer::appended), CommitHook.all(List.of(
          changes, new WebhookOutbox(webhookRepository, config.audit().origin(), webhookDispatcher::wake))));
      var pageTokens = PageTokens.load(database.dsl());
      var models = new ModelService(database.dsl(), transactions, new ModelRepository(), pageTokens);
      var versionRepository = new VersionRepository();
      var versions = new VersionService(database.dsl(), transactions, versionRepository, pageTokens);
      var aliasRepository = new AliasRepository();
      var aliases = new AliasService(database.dsl(), aliasRepository, versionRepository, pageTokens);
      var cache = new ResolveCache(changes, config.cache().ttl(), config.cache().maxEntries(), metrics);
      var watches = new AliasWatches(database.dsl(), aliasRepository, versionRepository, workers);
      var auditService = new AuditService(auditRepository, checkpointer, pageTokens);
      var auditFollowers = new AuditFollowers(auditService, workers);
      changes.subscribe(cache);
      changes.subscribe(watches);
      changes.subscribe(auditFollowers);
      changes.subscribe(webhookDispatcher);
      changes.start();
      awaitListener(changes);
      var bindings = new PolicyBindingService(database.dsl(), transactions, new PolicyBindingRepository(),
          Policies.discover(GantryServer.class.getClassLoader()));
      var artifactRepository = new ArtifactRepository();
      var artifacts = new ArtifactService(database.dsl(), transactions, artifactRepository, versionRepository, store);
      var promotionRepository = new PromotionRepository();
      var promotions = new PromotionService(database.dsl(), transactions, promotionRepository,
          aliasRepository, versionRepository, bindings, artifacts, Clock.systemUTC(), config.promotion().ttl(),
          pageTokens, new PolicyRunner(config.promotion().policyTimeLimit(), config.promotion().policyEvaluators()));
      // versions registered through MLflow's API get their files from its tracking server, when one is named
      var pinning = SourcePinning.start(config.mlflowTracking(), database.dsl(), transactions, versionRepository,
          artifacts, config.dataDir().resolve("mlflow-pin-scratch"));
      opened.push(pinning);
      var janitor = new ArtifactJanitor(database.dsl(), transactions, artifactRepository, versionRepository, store,
          Clock.systemUTC(), config.artifacts().uploadTimeout(), config.artifacts().blobGrace());
      config.promotion().policyFile().ifPresent(file -> loadPolicyFile(file,
          (text, source) -> bindings.apply(PolicyFile.parse(text, source), POLICY_FILE_ACTOR)));
      HealthStatusManager health = new HealthStatusManager();

      var access = new AccessService(database.dsl(), transactions, new AccessRepository(),
          config.identity().admins(), Clock.systemUTC());
      changes.subscribe(access);
      config.promotion().policyFile().ifPresent(file -> loadPolicyFile(file,
          (text, source) -> access.apply(PolicyFile.parseRoles(text, source), POLICY_FILE_ACTOR)));
      var refusals = new RefusalLog(transactions.on(database.ownConnection("gantry-refusals")),
          config.audit().refusals(), Clock.systemUTC(), metrics);
      opened.push(refusals);
      var webhooks = new WebhookService(database.dsl(), transactions, webhookRepository, pageTokens);
      config.promotion().policyFile().ifPresent(file -> loadPolicyFile(file,
          (text, source) -> webhooks.apply(PolicyFile.parseWebhooks(text, source), POLICY_FILE_ACTOR)));
      config.identity().bootstrapTokenFile().ifPresent(file -> writeBootstrapToken(access, file));

      // Without verified credentials the identity header is trusted as is: the config keeps that on loopback.
      InetSocketAddress address = new InetSocketAddress(config.identity().listenAddress(), config.grpcPort());
      List<ServerInterceptor> checks = new ArrayList<>();
      Optional<ApiTokenAuthenticator> apiTokens = config.identity().apiTokens()
          ? Optional.of(new ApiTokenAuthenticator(access)) : Optional.empty();
      ServerInterceptor identity = config.identity().verified()
          ? new VerifiedIdentityInterceptor(config.identity().jwt().map(JwtAuthenticator::new), apiTokens,
              config.identity().tls().filter(tls -> tls.clientCa().isPresent())
                  .map(ServerConfig.Tls::clientPrincipal), refusals)
          : new HeaderIdentityInterceptor();
      // the web page's calls run as their session's caller; every other call is identified as before
      var webSessions = new WebSessions(database.dsl(), Clock.systemUTC(), config.http().sessionIdle(),
          config.http().sessionLifetime());
      checks.add(new WebSessionInterceptor(webSessions, webSessionMethods(config), apiTokens, refusals, identity));
      if (config.identity().rolesEnforced()) {
        checks.add(new AuthorizationInterceptor(access, id -> promotionRepository.target(database.dsl(), id)
            .map(target -> Scope.alias(target.getKey(), target.getValue())), refusals));
      } else {
        checks.add(ReadableModels.everyModelForEveryone());
      }
      var registry = new ModelRegistryEndpoint(models, versions, aliases, new AliasWatchEndpoint(watches));
      var cachedReads = new CachedReadsEndpoint(cache, aliases, versions, workers);
      List<ServerServiceDefinition> services = List.of(cachedReads.overlay(registry.bindService()),
          new PromotionsEndpoint(promotions, bindings, access).bindService(), new ArtifactsEndpoint(artifacts).bindService(),
          new AuditEndpoint(auditService, auditFollowers).bindService(),
          new AccessEndpoint(access, config.identity().rolesEnforced()).bindService(),
          new ImportsEndpoint(new ImportService(transactions, new ImportRepository(), aliasRepository)).bindService(),
          new AttestationsEndpoint(new AttestationService(database.dsl(), promotionRepository,
              versionRepository, SigningKey.load(config.audit().attestationKeyFile(), ATTESTATION_KEY_NAME),
              config.audit().origin())).bindService(),
          new WebhooksEndpoint(webhooks).bindService());
      List<String> unruled = Permissions.missing(services);
      if (!unruled.isEmpty()) {
        throw new IllegalStateException("RPCs without a rule in Permissions: " + unruled);
      }
      WireGuard wire = new WireGuard(config.limits().defaultDeadline(), config.limits().streamIdle(),
          config.limits().maxMetadataBytes());
      opened.push(wire);
      // bad bytes are refused before the checks read a request; the metrics see every call, those refusals included
      CallMetrics callMetrics = new CallMetrics(metrics);
      List<ServerServiceDefinition> served = services.stream()
          .map(service -> ServerInterceptors.intercept(wire.guard(ServerInterceptors.interceptForward(service, checks)),
              callMetrics))
          .toList();
      NetworkThreads network = NetworkThreads.start(config.networkThreads());
      opened.push(network);
      ServerConfig.Limits limits = config.limits();
      NettyServerBuilder builder = network.configure(NettyServerBuilder.forAddress(address, transportSecurity(config)))
          .maxInboundMessageSize(limits.maxMessageBytes())
          .maxInboundMetadataSize(WireGuard.transportMetadataLimit(limits.maxMetadataBytes()))
          .maxConcurrentCallsPerConnection(limits.maxConcurrentStreams())
          .keepAliveTime(limits.keepAliveTime().toMillis(), TimeUnit.MILLISECONDS)
          .keepAliveTimeout(limits.keepAliveTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .maxConnectionIdle(limits.connectionIdle().toMillis(), TimeUnit.MILLISECONDS)
          // Cache hits and health checks are answered on the transport thread: handing them to another
          // thread would cost more than answering. Everything else may block, and runs on the workers.
          .directExecutor()
          .callExecutor(CachedReadsEndpoint.callExecutors(workers));
      served.forEach(builder::addService);
      Server server = builder
          .addService(wire.guard(health.getHealthService().bindService()))
          // v1 for current tools, v1alpha for grpcurl and older clients
          .addService(wire.guard(ProtoReflectionServiceV1.newInstance().bindService()))
          .addService(wire.guard(ProtoReflectionService.newInstance().bindService()))
          .build();
      try {
        server.start();
      } catch (IOException e) {
        throw ListenFailure.of(address, "GANTRY_GRPC_PORT", e);
      }
      opened.push(server::shutdownNow);
      // MLflow's REST API calls the same services, through the same checks, in-process; a cache hit is answered on
      // the HTTP port's thread that called, as on the gRPC port's
      LocalChannel local = LocalChannel.start(served, CachedReadsEndpoint.callExecutors(workers));
      opened.push(local);
      MlflowRestApi mlflow = new MlflowRestApi(local.channel(), !config.identity().verified(), pinning);
      Map<String, HttpRoute> routes = new LinkedHashMap<>();
      MlflowRestApi.PREFIXES.forEach(prefix -> routes.put(prefix, mlflow));
      routes.put(MlflowArtifactsApi.PREFIX, new MlflowArtifactsApi(local.channel(), !config.identity().verified()));
      // the web page for approvers and reviewers acts the same way: through the services, as the signed-in caller
      routes.put(WebUi.ROOT, new WebUi(local.channel(), !config.identity().verified(), webSessions));
      // the database answered when it was last asked (start-up has just migrated it)
      AtomicBoolean serving = new AtomicBoolean(true);
      List<String> mlflowApis = new ArrayList<>(MlflowRestApi.PREFIXES);
      mlflowApis.add(MlflowArtifactsApi.PREFIX);
      HttpBoundary boundary = new HttpBoundary(config.http().allowedHosts(), mlflowApis, MlflowRestApi.PREFIXES);
      OpsHttpServer ops = OpsHttpServer.start(config.identity().httpAddress(), config.httpPort(), config.http(),
          serving::get, metrics, routes, boundary);
      opened.push(ops);
      ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "gantry-background");
        thread.setDaemon(true);
        return thread;
      });
      webhookDispatcher.start();
      GantryServer gantry = new GantryServer(database, server, local, health, background, checkpointer, store, ops,
          gcMetrics, serving, changes, workers, network, List.of(watches, auditFollowers, pinning), wire,
          webhookDispatcher, refusals);
      background.scheduleWithFixedDelay(gantry::probeDatabase, 0, 5, TimeUnit.SECONDS);
      long expiryMillis = Math.min(config.promotion().ttl().toMillis(), EXPIRY_SWEEP.toMillis());
      background.scheduleWithFixedDelay(() -> runQuietly("expire overdue promotions", promotions::expireOverdue),
          expiryMillis, expiryMillis, TimeUnit.MILLISECONDS);
      long janitorMillis = config.artifacts().janitorInterval().toMillis();
      background.scheduleWithFixedDelay(() -> runQuietly("clean up artifacts", janitor::run), janitorMillis,
          janitorMillis, TimeUnit.MILLISECONDS);
      background.scheduleWithFixedDelay(() -> runQuietly("record API token uses", access::recordUses),
          TOKEN_USE_FLUSH.toSeconds(), TOKEN_USE_FLUSH.toSeconds(), TimeUnit.SECONDS);
      long sessionSweepMillis = Math.min(webSessions.sweepInterval().toMillis(), SESSION_SWEEP.toMillis());
      background.scheduleWithFixedDelay(() -> runQuietly("delete ended web sessions", webSessions::sweep),
          sessionSweepMillis, sessionSweepMillis, TimeUnit.MILLISECONDS);
      // a safety net under the change feed, as the cache's TTL is
      background.scheduleWithFixedDelay(() -> runQuietly("read role bindings and API tokens", access::reload),
          ACCESS_RELOAD.toSeconds(), ACCESS_RELOAD.toSeconds(), TimeUnit.SECONDS);
      if (config.identity().verified()) {
        log.info("Callers are verified ({}); roles are enforced; listening on {}", verifiers(config), address);
        if (config.identity().admins().isEmpty()) {
          log.warn("GANTRY_ADMINS is empty: only role bindings already stored give anyone the admin role");
        }
      } else {
        log.warn("Identity comes from the unauthenticated '{}' header; listening on {} (loopback only)",
            HeaderIdentityInterceptor.HEADER, address);
      }
      log.info("Gantry serving gRPC on port {}, health and metrics over HTTP on port {}", server.getPort(),
          ops.port());
      return gantry;
    } catch (RuntimeException e) {
      closeAll(opened);
      throw e;
    }
  }

  private static ServerCredentials transportSecurity(ServerConfig config) {
    Optional<ServerConfig.Tls> tls = config.identity().tls();
    if (tls.isEmpty()) {
      if (config.identity().jwt().isPresent() && !config.identity().listenAddress().isLoopbackAddress()) {
        log.warn("Bearer tokens are accepted over plaintext: set GANTRY_TLS_CERT and GANTRY_TLS_KEY, or terminate "
            + "TLS in front of the server");
      }
      return InsecureServerCredentials.create();
    }
    try {
      TlsServerCredentials.Builder credentials = TlsServerCredentials.newBuilder()
          .keyManager(tls.get().certificateChain().toFile(), tls.get().privateKey().toFile());
      if (tls.get().clientCa().isPresent()) {
        // optional: a caller may present a bearer token instead of a certificate
        credentials.trustManager(tls.get().clientCa().get().toFile())
            .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL);
      }
      return credentials.build();
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException("GANTRY_TLS_CERT/GANTRY_TLS_KEY/GANTRY_TLS_CLIENT_CA cannot be used: "
          + e.getMessage(), e);
    }
  }

  /** How a web session's caller must have been proven for this server to honour it: as it accepts callers itself. */
  private static Set<Caller.Method> webSessionMethods(ServerConfig config) {
    if (!config.identity().verified()) {
      return Set.of(Caller.Method.HEADER);
    }
    Set<Caller.Method> methods = EnumSet.noneOf(Caller.Method.class);
    config.identity().jwt().ifPresent(jwt -> methods.add(Caller.Method.JWT));
    if (config.identity().apiTokens()) {
      methods.add(Caller.Method.API_TOKEN);
    }
    return methods;
  }

  private static String verifiers(ServerConfig config) {
    List<String> verifiers = new ArrayList<>();
    config.identity().jwt().ifPresent(jwt -> verifiers.add("JWTs from " + jwt.issuer() + " for " + jwt.audience()));
    if (config.identity().apiTokens()) {
      verifiers.add("API tokens");
    }
    config.identity().tls().flatMap(ServerConfig.Tls::clientCa)
        .ifPresent(ca -> verifiers.add("client certificates from " + ca));
    return String.join(", ", verifiers);
  }

  /**
   * Makes a first admin's API token and writes it to {@code file} (owner-only), unless the file exists: how a server
   * that accepts only API tokens gets its first admin. The token's principal is {@value #BOOTSTRAP_ADMIN}.
   */
  private static void writeBootstrapToken(AccessService access, Path file) {
    if (Files.exists(file)) {
      return;
    }
    // the file first, owner-only: a token is made only once there is a private place to put it
    try {
      SecretFiles.create(file);
    } catch (IOException e) {
      throw new ConfigException("GANTRY_BOOTSTRAP_TOKEN_FILE " + file + " cannot be written: " + e.getMessage(), e);
    }
    var token = access.createToken(BOOTSTRAP_ADMIN, "first admin, written to " + file, Optional.empty(),
        BOOTSTRAP_ACTOR);
    // token:, not user:: no JWT subject or certificate name can be this admin
    if (access.bindings(RoleBinding.TOKEN + BOOTSTRAP_ADMIN).stream().noneMatch(b -> b.role() == Role.ADMIN
        && b.modelPattern().equals(RoleBinding.EVERY_MODEL))) {
      access.grant(RoleBinding.TOKEN + BOOTSTRAP_ADMIN, Role.ADMIN, RoleBinding.EVERY_MODEL, List.of(), BOOTSTRAP_ACTOR);
    }
    try {
      Files.writeString(file, token.secret() + "\n");
    } catch (IOException e) {
      throw new ConfigException("GANTRY_BOOTSTRAP_TOKEN_FILE " + file + " cannot be written: " + e.getMessage()
          + "; revoke " + token.token().name(), e);
    }
    log.info("Wrote an admin API token for '{}' to {} ({})", BOOTSTRAP_ADMIN, file, token.token().name());
  }

  /** Serving before the listener listens would leave the cache unused until it does. */
  private static void awaitListener(ChangeFeed changes) {
    try {
      if (!changes.awaitListening(LISTENER_START_WAIT)) {
        log.warn("The change listener is not listening yet; resolves read the database until it is");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfigException("interrupted while starting", e);
    }
  }

  private static ExecutorService workerPool(int threads) {
    AtomicInteger count = new AtomicInteger();
    return Executors.newFixedThreadPool(threads, r -> {
      Thread thread = new Thread(r, "gantry-worker-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  private static void closeAll(Deque<AutoCloseable> opened) {
    while (!opened.isEmpty()) {
      try {
        opened.pop().close();
      } catch (Exception e) {
        log.warn("Could not close {} after a failed start: {}", e.getClass().getSimpleName(), e.toString());
      }
    }
  }

  /** Runs background work; a failure (the database may be down) is logged and the next run tries again. */
  private static void runQuietly(String what, Runnable work) {
    try {
      work.run();
    } catch (RuntimeException e) {
      log.warn("Could not {}: {}", what, e.toString());
    }
  }

  /** Applies the policy file; a file that cannot be read or used stops the start with one line. */
  private static void loadPolicyFile(Path file, BiConsumer<String, String> apply) {
    try {
      apply.accept(Files.readString(file), file.toString());
      log.info("Applied the policy file {}", file);
    } catch (IOException e) {
      throw new ConfigException("GANTRY_POLICY_FILE " + file + " cannot be read: " + e.getMessage(), e);
    } catch (PolicyFileException e) {
      throw new ConfigException("GANTRY_POLICY_FILE: " + e.getMessage(), e);
    } catch (GantryException e) {
      throw new ConfigException("GANTRY_POLICY_FILE " + file + ": " + e.getMessage(), e);
    }
  }

  /** Health follows the database: NOT_SERVING while it cannot be reached. */
  private void probeDatabase() {
    ServingStatus status;
    try {
      database.dsl().selectOne().fetch();
      status = ServingStatus.SERVING;
    } catch (RuntimeException e) {
      status = ServingStatus.NOT_SERVING;
    }
    serving.set(status == ServingStatus.SERVING);
    health.setStatus("", status);
    health.setStatus(ModelRegistryGrpc.SERVICE_NAME, status);
  }

  /** For tests in this package that check what was, or was not, stored. */
  Database database() {
    return database;
  }

  /** For tests in this package that watch the change listener (the metrics page reads the database). */
  ChangeFeed changes() {
    return changes;
  }

  /** For tests in this package that call every method served, whatever its service. */
  List<ServerServiceDefinition> services() {
    return server.getServices();
  }

  public int grpcPort() {
    return server.getPort();
  }

  public int httpPort() {
    return ops.port();
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops taking calls, lets the calls in flight finish, then closes the database. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    background.shutdownNow();
    serving.set(false);
    health.enterTerminalState();
    server.shutdown();
    // HTTP requests in flight finish through the in-process channel, still open, while new ones are refused
    ops.close();
    // watches and audit streams never end by themselves: tell their clients to resume elsewhere
    for (AutoCloseable stream : streams) {
      try {
        stream.close();
      } catch (Exception e) {
        log.warn("Could not end the open streams: {}", e.toString());
      }
    }
    try {
      if (!server.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS)) {
        log.warn("Calls still running after {} s; cancelling them", DRAIN_SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    local.close();
    // no call is left to be refused: the summaries still open are written now
    refusals.close();
    // a send cut short stays pending, and is sent again by whichever replica runs next
    webhooks.close();
    wire.close();
    workers.shutdown();
    network.close();
    changes.close();
    gcMetrics.close();
    checkpointer.close();
    try {
      store.close();
    } catch (IOException e) {
      log.warn("Could not close the artifact store: {}", e.toString());
    }
    database.close();
    log.info("Gantry stopped");
  }
}
