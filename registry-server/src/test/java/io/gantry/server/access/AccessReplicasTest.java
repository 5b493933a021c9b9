package io.gantry.server.access;

import static io.gantry.server.access.VerifiedServer.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.gantry.v1.AccessControlGrpc;
import io.gantry.v1.ApiToken;
import io.gantry.v1.Caller;
import io.gantry.v1.CreateApiTokenRequest;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateRoleBindingRequest;
import io.gantry.v1.DeleteRoleBindingRequest;
import io.gantry.v1.GetCallerRequest;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two replicas on one PostgreSQL that accept only API tokens: the first admin's token comes from
 * GANTRY_BOOTSTRAP_TOKEN_FILE, and a token or binding made or revoked through one replica takes effect on the other.
 */
class AccessReplicasTest {

  private static Path dir;
  private static EmbeddedPostgres postgres;
  private static GantryServer first;
  private static GantryServer second;
  private static ManagedChannel toFirst;
  private static ManagedChannel toSecond;
  private static Path bootstrap;

  @BeforeAll
  static void start() throws Exception {
    dir = TestRegistry.tempDir("gantry-access-replicas");
    postgres = EmbeddedPostgres.builder().start();
    bootstrap = dir.resolve("secrets").resolve("admin.token");
    Map<String, String> env = new HashMap<>(Map.of("GANTRY_DB_URL", postgres.getJdbcUrl("postgres", "postgres"),
        "GANTRY_DB_USER", "postgres", "GANTRY_AUDIT_KEY_FILE", dir.resolve("shared-signing.key").toString(),
        "GANTRY_API_TOKENS", "true", "GANTRY_BOOTSTRAP_TOKEN_FILE", bootstrap.toString()));
    first = TestRegistry.start(dir, env);
    second = TestRegistry.start(dir, env);
    toFirst = TestRegistry.connect(first);
    toSecond = TestRegistry.connect(second);
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

  /** Waits until {@code condition} holds on the other replica; how long it took, in milliseconds. */
  private static long await(Supplier<Boolean> condition) {
    long start = System.nanoTime();
    Awaitility.await("propagated within 10 s").atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(5)).until(condition::get);
    return (System.nanoTime() - start) / 1_000_000;
  }

  private static Status.Code outcome(Runnable call) {
    try {
      call.run();
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  @Test
  void theBootstrapToken_isWrittenOnce_ownerOnly_andIsAnAdminOnEveryReplica() throws Exception {
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(bootstrap))).isEqualTo("rw-------");
    String secret = Files.readString(bootstrap).trim();
    for (ManagedChannel channel : new ManagedChannel[] {toFirst, toSecond}) {
      Caller caller = access(channel, secret).getCaller(GetCallerRequest.getDefaultInstance());
      assertThat(caller.getPrincipal()).isEqualTo("bootstrap-admin");
      assertThat(caller.getRoleBindingsList()).extracting(RoleBinding::getRole).containsExactly(Role.ROLE_ADMIN);
    }
    // the second replica found the file and made no token of its own
    assertThat(access(toFirst, secret).listApiTokens(io.gantry.v1.ListApiTokensRequest.getDefaultInstance())
        .getApiTokensList()).extracting(ApiToken::getPrincipal).containsOnlyOnce("bootstrap-admin");
  }

  @Test
  void aTokenAndABindingMadeOrRevokedOnOneReplica_takeEffectOnTheOther() throws Exception {
    String admin = Files.readString(bootstrap).trim();
    var adminOnFirst = access(toFirst, admin);
    String ci = adminOnFirst.createApiToken(CreateApiTokenRequest.newBuilder().setApiToken(ApiToken.newBuilder()
        .setPrincipal("ci")).build()).getSecret();
    RoleBinding binding = adminOnFirst.createRoleBinding(CreateRoleBindingRequest.newBuilder().setRoleBinding(
        RoleBinding.newBuilder().setSubject("user:ci").setRole(Role.ROLE_PUBLISHER).setModelPattern("*")).build());
    var ciOnSecond = bearer(ModelRegistryGrpc.newBlockingStub(toSecond), ci);
    long granted = await(() -> outcome(() -> ciOnSecond.createModel(CreateModelRequest.newBuilder()
        .setModelId(TestRegistry.uniqueModel("replica")).build())) == Status.Code.OK);

    adminOnFirst.deleteRoleBinding(DeleteRoleBindingRequest.newBuilder().setName(binding.getName()).build());
    long ungranted = await(() -> outcome(() -> ciOnSecond.createModel(CreateModelRequest.newBuilder()
        .setModelId(TestRegistry.uniqueModel("replica")).build())) == Status.Code.PERMISSION_DENIED);

    adminOnFirst.revokeApiToken(RevokeApiTokenRequest.newBuilder().setName(access(toFirst, ci)
        .getCaller(GetCallerRequest.getDefaultInstance()).getApiToken()).build());
    long revoked = await(() -> outcome(() -> access(toSecond, ci).getCaller(GetCallerRequest.getDefaultInstance()))
        == Status.Code.UNAUTHENTICATED);
    System.out.printf("access changes seen by the other replica after %d ms (grant), %d ms (binding deleted), "
        + "%d ms (token revoked)%n", granted, ungranted, revoked);
  }
}
