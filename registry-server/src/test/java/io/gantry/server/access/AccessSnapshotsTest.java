package io.gantry.server.access;

import static io.gantry.db.Tables.API_TOKEN;
import static io.gantry.db.Tables.ROLE_BINDING;
import static io.gantry.server.access.VerifiedServer.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.gantry.v1.AccessControlGrpc;
import io.gantry.v1.ApiToken;
import io.gantry.v1.CreateApiTokenRequest;
import io.gantry.v1.CreateApiTokenResponse;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateRoleBindingRequest;
import io.gantry.v1.DeleteRoleBindingRequest;
import io.gantry.v1.GetCallerRequest;
import io.gantry.v1.ListRoleBindingsRequest;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.RevokeApiTokenRequest;
import io.gantry.v1.Role;
import io.gantry.v1.RoleBinding;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Access snapshots are served in order: two replicas on one PostgreSQL that accept only API tokens, while other
 * admins grant, revoke, mint and revoke tokens on both, so that reloads overlap all the time. A change is in effect on
 * the replica that made it when the call returns, reaches the other within the change feed's latency, and never comes
 * undone by a reload that read older data.
 */
class AccessSnapshotsTest {

  // the change feed's latency is a few milliseconds; this bound leaves room for a loaded machine
  private static final Duration OTHER_REPLICA_WITHIN = Duration.ofSeconds(1);

  private static Path dir;
  private static EmbeddedPostgres postgres;
  private static Map<String, String> env;
  private static GantryServer first;
  private static GantryServer second;
  private static ManagedChannel toFirst;
  private static ManagedChannel toSecond;
  private static String admin;

  @BeforeAll
  static void start() throws Exception {
    dir = TestRegistry.tempDir("gantry-access-snapshots");
    postgres = EmbeddedPostgres.builder().start();
    env = new HashMap<>(Map.of("GANTRY_DB_USER", "postgres",
        "GANTRY_AUDIT_KEY_FILE", dir.resolve("shared-signing.key").toString(), "GANTRY_API_TOKENS", "true"));
    Path bootstrap = dir.resolve("replicas").resolve("admin.token");
    first = startOn("postgres", bootstrap);
    second = startOn("postgres", bootstrap);
    toFirst = TestRegistry.connect(first);
    toSecond = TestRegistry.connect(second);
    admin = Files.readString(bootstrap).trim();
  }

  private static GantryServer startOn(String database, Path bootstrapFile) {
    Map<String, String> all = new HashMap<>(env);
    all.put("GANTRY_DB_URL", postgres.getJdbcUrl("postgres", database));
    all.put("GANTRY_BOOTSTRAP_TOKEN_FILE", bootstrapFile.toString());
    return TestRegistry.start(dir, all);
  }

  @AfterAll
  static void stop() throws Exception {
    toFirst.shutdownNow();
    toSecond.shutdownNow();
    second.close();
    first.close();
    postgres.close();
    TestRegistry.deleteRecursively(dir);
  }

  private static AccessControlGrpc.AccessControlBlockingStub access(ManagedChannel channel, String secret) {
    return bearer(AccessControlGrpc.newBlockingStub(channel), secret);
  }

  private static Status.Code outcome(Runnable call) {
    try {
      call.run();
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  private static Status.Code whoAmI(ManagedChannel channel, String secret) {
    return outcome(() -> access(channel, secret).getCaller(GetCallerRequest.getDefaultInstance()));
  }

  private static Status.Code createModel(ManagedChannel channel, String secret, String prefix) {
    return outcome(() -> bearer(ModelRegistryGrpc.newBlockingStub(channel), secret).createModel(
        CreateModelRequest.newBuilder().setModelId(TestRegistry.uniqueModel(prefix)).build()));
  }

  private static CreateApiTokenResponse mint(ManagedChannel channel, String principal) {
    return access(channel, admin).createApiToken(CreateApiTokenRequest.newBuilder().setApiToken(ApiToken.newBuilder()
        .setPrincipal(principal)).build());
  }

  private static RoleBinding bind(ManagedChannel channel, String subject, String pattern) {
    return access(channel, admin).createRoleBinding(CreateRoleBindingRequest.newBuilder().setRoleBinding(
        RoleBinding.newBuilder().setSubject(subject).setRole(Role.ROLE_PUBLISHER).setModelPattern(pattern)).build());
  }

  private static void unbind(ManagedChannel channel, RoleBinding binding) {
    access(channel, admin).deleteRoleBinding(DeleteRoleBindingRequest.newBuilder().setName(binding.getName())
        .build());
  }

  private static void revoke(ManagedChannel channel, String tokenName) {
    access(channel, admin).revokeApiToken(RevokeApiTokenRequest.newBuilder().setName(tokenName).build());
  }

  /**
   * Other admins changing access on both replicas as fast as they can: every change makes both replicas read their
   * snapshot again, so reloads overlap with the changes under test. The tokens they mint and revoke are kept.
   */
  private static final class Churn implements AutoCloseable {
    // the newest last
    final Deque<Map.Entry<String, String>> secretsByName = new ConcurrentLinkedDeque<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService threads = Executors.newFixedThreadPool(2);
    private final List<Future<?>> loops = new ArrayList<>();

    Churn() {
      String prefix = TestRegistry.uniqueModel("churn") + "-";
      loops.add(threads.submit(() -> {
        for (int i = 0; running.get(); i++) {
          CreateApiTokenResponse made = mint(i % 2 == 0 ? toSecond : toFirst, "churn");
          secretsByName.add(Map.entry(made.getApiToken().getName(), made.getSecret()));
          if (i % 3 != 0) {
            revoke(i % 2 == 0 ? toFirst : toSecond, made.getApiToken().getName());
          }
        }
      }));
      loops.add(threads.submit(() -> {
        for (int i = 0; running.get(); i++) {
          RoleBinding binding = bind(i % 2 == 0 ? toFirst : toSecond, "user:churn", prefix + i + "-*");
          if (i % 5 != 0) {
            unbind(i % 2 == 0 ? toSecond : toFirst, binding);
          }
        }
      }));
    }

    @Override
    public void close() throws Exception {
      running.set(false);
      for (Future<?> loop : loops) {
        loop.get();
      }
      threads.shutdown();
    }
  }

  @Test
  void aFreshServer_letsItsBootstrapAdminWrite_inItsFirstSecond() throws Exception {
    // the replicas' churn keeps the machine busy, as a real start-up beside other work is
    try (Churn busy = new Churn()) {
      for (int round = 0; round < 4; round++) {
        startFreshAndWriteAtOnce(round);
      }
    }
  }

  /** A server on a new database, its bootstrap token used at once: no retry, the first call of each kind. */
  private static void startFreshAndWriteAtOnce(int round) throws Exception {
    String database = "fresh_" + round;
    try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
      // a constant name made here: CREATE DATABASE takes no bind value
      connection.createStatement().execute("create database " + database);
    }
    Path bootstrap = dir.resolve(database).resolve("admin.token");
    // other replicas on this database changing access while it starts: each notice makes it read bindings and tokens
    // again, so reloads run while the bootstrap token and binding are written; the notices stop once the token file
    // holds the secret, so the last reload is one of those that overlapped the bootstrap
    AtomicBoolean written = new AtomicBoolean();
    Thread otherReplicas = new Thread(() -> {
      try (Connection connection = postgres.getDatabase("postgres", database).getConnection();
          PreparedStatement notice = connection.prepareStatement("select pg_notify(?, ?)")) {
        notice.setString(1, "gantry_changes");
        notice.setString(2, "another-replica @access");
        while (!written.get()) {
          notice.execute();
          written.set(Files.exists(bootstrap) && Files.size(bootstrap) > 0);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    otherReplicas.start();
    try (GantryServer fresh = startOn(database, bootstrap)) {
      written.set(true);
      otherReplicas.join();
      ManagedChannel channel = TestRegistry.connect(fresh);
      try {
        long started = System.nanoTime();
        String secret = Files.readString(bootstrap).trim();
        assertThat(createModel(channel, secret, "first-second")).as("round %d: create a model", round)
            .isEqualTo(Status.Code.OK);
        assertThat(outcome(() -> access(channel, secret).createApiToken(CreateApiTokenRequest.newBuilder()
            .setApiToken(ApiToken.newBuilder().setPrincipal("ci")).build()))).as("round %d: mint a token", round)
            .isEqualTo(Status.Code.OK);
        assertThat(outcome(() -> access(channel, secret).createRoleBinding(CreateRoleBindingRequest.newBuilder()
            .setRoleBinding(RoleBinding.newBuilder().setSubject("user:ci").setRole(Role.ROLE_VIEWER)
                .setModelPattern("*")).build()))).as("round %d: bind a role", round).isEqualTo(Status.Code.OK);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void aWriteOnThisReplica_isInEffectForItsNextCall_100TimesInARow_whileReloadsOverlap() throws Exception {
    try (Churn churn = new Churn()) {
      for (int i = 0; i < 100; i++) {
        CreateApiTokenResponse made = mint(toFirst, "ryw");
        String secret = made.getSecret();
        assertThat(whoAmI(toFirst, secret)).as("round %d: a new token works at once", i).isEqualTo(Status.Code.OK);
        RoleBinding binding = bind(toFirst, "user:ryw", "ryw-*");
        assertThat(createModel(toFirst, secret, "ryw")).as("round %d: a new binding allows at once", i)
            .isEqualTo(Status.Code.OK);
        unbind(toFirst, binding);
        assertThat(createModel(toFirst, secret, "ryw")).as("round %d: a deleted binding refuses at once", i)
            .isEqualTo(Status.Code.PERMISSION_DENIED);
        revoke(toFirst, made.getApiToken().getName());
        assertThat(whoAmI(toFirst, secret)).as("round %d: a revoked token is refused at once", i)
            .isEqualTo(Status.Code.UNAUTHENTICATED);
      }
    }
  }

  @Test
  void aRevocation_reachesTheOtherReplica_withinTheFeedsLatency_andIsNeverUndone() throws Exception {
    List<Long> tokenMillis = new ArrayList<>();
    List<Long> bindingMillis = new ArrayList<>();
    try (Churn churn = new Churn()) {
      for (int i = 0; i < 20; i++) {
        CreateApiTokenResponse made = mint(toFirst, "other");
        String secret = made.getSecret();
        RoleBinding binding = bind(toFirst, "user:other", "other-*");
        await().atMost(OTHER_REPLICA_WITHIN).pollInterval(Duration.ofMillis(1))
            .until(() -> createModel(toSecond, secret, "other") == Status.Code.OK);

        long unbound = System.nanoTime();
        unbind(toFirst, binding);
        await().atMost(OTHER_REPLICA_WITHIN).pollInterval(Duration.ofMillis(1))
            .until(() -> createModel(toSecond, secret, "other") == Status.Code.PERMISSION_DENIED);
        bindingMillis.add((System.nanoTime() - unbound) / 1_000_000);

        long revoked = System.nanoTime();
        revoke(toFirst, made.getApiToken().getName());
        await().atMost(OTHER_REPLICA_WITHIN).pollInterval(Duration.ofMillis(1))
            .until(() -> whoAmI(toSecond, secret) == Status.Code.UNAUTHENTICATED);
        tokenMillis.add((System.nanoTime() - revoked) / 1_000_000);

        // once refused, never again allowed, however the reloads on either replica interleave
        for (int check = 0; check < 10; check++) {
          assertThat(whoAmI(toSecond, secret)).isEqualTo(Status.Code.UNAUTHENTICATED);
          assertThat(whoAmI(toFirst, secret)).isEqualTo(Status.Code.UNAUTHENTICATED);
          assertThat(createModel(toSecond, admin, "other")).isEqualTo(Status.Code.OK);
        }
      }
      System.out.printf("a change made on one replica was in effect on the other after: token revoked p50 %d ms, "
          + "max %d ms; binding deleted p50 %d ms, max %d ms (20 each, while other admins changed access)%n",
          percentile(tokenMillis, 50), percentile(tokenMillis, 100), percentile(bindingMillis, 50),
          percentile(bindingMillis, 100));
      churn.close();

      // the churn over, each replica serves exactly what the database holds
      Set<String> stored = TestRegistry.dsl(first).select(ROLE_BINDING.ID).from(ROLE_BINDING).fetch(ROLE_BINDING.ID)
          .stream().map(id -> "roleBindings/" + id).collect(Collectors.toSet());
      Set<String> revokedTokens = TestRegistry.dsl(first).select(API_TOKEN.ID).from(API_TOKEN)
          .where(API_TOKEN.REVOKE_TIME.isNotNull()).fetch(API_TOKEN.ID).stream().map(id -> "apiTokens/" + id)
          .collect(Collectors.toSet());
      List<Map.Entry<String, String>> minted = new ArrayList<>(churn.secretsByName);
      List<Map.Entry<String, String>> newestTokens = minted.subList(Math.max(0, minted.size() - 20), minted.size());
      for (ManagedChannel replica : List.of(toFirst, toSecond)) {
        await().atMost(OTHER_REPLICA_WITHIN).until(() -> access(replica, admin).listRoleBindings(
            ListRoleBindingsRequest.getDefaultInstance()).getRoleBindingsList().stream().map(RoleBinding::getName)
            .collect(Collectors.toSet()).equals(stored));
        await().atMost(OTHER_REPLICA_WITHIN).untilAsserted(() -> {
          for (Map.Entry<String, String> token : newestTokens) {
            assertThat(whoAmI(replica, token.getValue())).as(token.getKey())
                .isEqualTo(revokedTokens.contains(token.getKey()) ? Status.Code.UNAUTHENTICATED : Status.Code.OK);
          }
        });
      }
    }
  }

  private static long percentile(List<Long> values, int percentile) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(Math.max(0, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1));
  }
}
