package io.gantry.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.server.GantryServer;
import io.gantry.server.config.ServerConfig;
import io.gantry.v1.Caller;
import io.gantry.v1.CreateApiTokenResponse;
import io.gantry.v1.ListApiTokensResponse;
import io.gantry.v1.ListRoleBindingsResponse;
import io.gantry.v1.RegisteredModel;
import io.gantry.v1.Role;
import io.gantry.v1.RoleBinding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * whoami, tokens and roles against a server that verifies callers by JWT and by API token, where root is admin by
 * configuration (GANTRY_ADMINS) and everyone else has only the roles granted here.
 */
class AccessCliTest {

  private static final String SECRET_LINE = "secret (shown once, store it now): ";

  @TempDir
  static Path dir;

  private static JwtIssuer issuer;
  private static GantryServer server;
  private static Map<String, String> root;

  @BeforeAll
  static void startServer() throws Exception {
    issuer = JwtIssuer.create(dir);
    Map<String, String> settings = new HashMap<>(issuer.serverSettings());
    settings.putAll(Map.of("GANTRY_DATA_DIR", dir.resolve("data").toString(), "GANTRY_GRPC_PORT", "0",
        "GANTRY_HTTP_PORT", "0", "GANTRY_API_TOKENS", "true", "GANTRY_ADMINS", "user:root"));
    server = GantryServer.start(ServerConfig.fromEnvironment(settings));
    root = callingWith(issuer.token("root"));
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  /** The environment of a CLI that sends {@code token}: a JWT or an API token, alike. */
  private static Map<String, String> callingWith(String token) {
    return Map.of("GANTRY_TARGET", "127.0.0.1:" + server.grpcPort(), "GANTRY_TOKEN", token);
  }

  /** The row of a table whose first cell is {@code name}. */
  private static List<String> row(String table, String name) {
    return CliResult.rows(table).stream().filter(row -> row.get(0).equals(name)).findFirst().orElseThrow();
  }

  @Test
  void aTokenCallsAsItsPrincipal_withOnlyTheRolesBoundToIt_untilRevoked() throws Exception {
    List<String> created = CliResult.sections(
        CliResult.succeed(root, "tokens", "create", "--principal", "ci-bot", "--description", "nightly deploy"));
    Map<String, String> token = CliResult.fields(created.get(0));
    assertThat(token).containsEntry("principal", "ci-bot").containsEntry("description", "nightly deploy")
        .containsEntry("expires", "never");
    assertThat(token.get("created")).endsWith(" by root");
    assertThat(created.get(1)).startsWith(SECRET_LINE + "gantry_");
    String secret = created.get(1).strip().substring(SECRET_LINE.length());
    String name = token.get("name");
    assertThat(name).startsWith("apiTokens/");

    String listed = CliResult.succeed(root, "tokens", "list");
    assertThat(row(listed, name)).containsExactly(name, "ci-bot", token.get("created").replace(" by root", ""),
        "root", "never", "-", "-", "nightly deploy");
    assertThat(listed).doesNotContain(secret);
    assertThat(CliResult.succeed(root, "tokens", "list", "-o", "json")).contains(name).doesNotContain(secret);

    CliResult.succeed(root, "roles", "grant", "ci-bot", "publisher", "--models", "fraud-*", "--alias", "staging");
    Map<String, String> ciBot = callingWith(secret);
    RegisteredModel model = CliResult.json(RegisteredModel.getDefaultInstance(),
        CliResult.succeed(ciBot, "models", "create", "fraud-x", "-o", "json"));
    assertThat(model.getCreatedBy()).isEqualTo("ci-bot");

    Caller caller = CliResult.json(Caller.getDefaultInstance(), CliResult.succeed(ciBot, "whoami", "-o", "json"));
    assertThat(caller.getPrincipal()).isEqualTo("ci-bot");
    assertThat(caller.getAuthenticatedBy()).isEqualTo("api-token");
    assertThat(caller.getApiToken()).isEqualTo(name);
    assertThat(caller.getRolesEnforced()).isTrue();
    assertThat(caller.getRoleBindingsList()).hasSize(1);
    RoleBinding binding = caller.getRoleBindings(0);
    assertThat(binding.getRole()).isEqualTo(Role.ROLE_PUBLISHER);
    assertThat(binding.getAliasesList()).containsExactly("staging");

    List<String> whoami = CliResult.sections(CliResult.succeed(ciBot, "whoami"));
    assertThat(CliResult.fields(whoami.get(0))).containsEntry("principal", "ci-bot")
        .containsEntry("authenticated_by", "api-token").containsEntry("api_token", name)
        .containsEntry("roles_enforced", "true").containsEntry("role_bindings", "1");
    assertThat(CliResult.rows(whoami.get(1))).containsExactly(List.of("NAME", "SUBJECT", "ROLE", "MODELS", "ALIASES"),
        List.of(binding.getName(), "user:ci-bot", "publisher", "fraud-*", "staging"));

    CliResult refused = CliResult.run(ciBot, "models", "create", "churn-x");
    assertThat(refused.exitCode()).isEqualTo(GantryCli.EXIT_PERMISSION);
    assertThat(refused.err()).startsWith("error: PERMISSION_DENIED (MISSING_ROLE): ci-bot needs the publisher role")
        .contains("models/churn-x");

    ListRoleBindingsResponse bindings = CliResult.json(ListRoleBindingsResponse.getDefaultInstance(),
        CliResult.succeed(root, "roles", "list", "-o", "json"));
    RoleBinding configured = bindings.getRoleBindings(0);
    assertThat(configured.getSubject()).isEqualTo("user:root");
    assertThat(configured.getRole()).isEqualTo(Role.ROLE_ADMIN);
    assertThat(configured.getFromConfiguration()).isTrue();
    assertThat(bindings.getRoleBindingsList()).contains(binding);
    String table = CliResult.succeed(root, "roles", "list");
    assertThat(row(table, configured.getName())).containsSubsequence("user:root", "admin", "*", "*", "GANTRY_ADMINS");
    assertThat(row(table, binding.getName())).containsSubsequence("user:ci-bot", "publisher", "fraud-*", "staging",
        "root");

    CliResult unremovable = CliResult.run(root, "roles", "revoke", configured.getName());
    assertThat(unremovable.exitCode()).isEqualTo(GantryCli.EXIT_CONFLICT);
    assertThat(unremovable.err()).startsWith("error: FAILED_PRECONDITION").contains("comes from GANTRY_ADMINS");

    // a bare uuid names the token too
    Map<String, String> revoked = CliResult.fields(
        CliResult.succeed(root, "tokens", "revoke", name.substring("apiTokens/".length())));
    assertThat(revoked).containsEntry("name", name);
    assertThat(revoked.get("revoked")).endsWith(" by root");

    CliResult afterRevoke = CliResult.run(ciBot, "whoami");
    assertThat(afterRevoke.exitCode()).isEqualTo(GantryCli.EXIT_PERMISSION);
    assertThat(afterRevoke.err()).startsWith("error: UNAUTHENTICATED").contains("revoked");
    assertThat(CliResult.succeed(root, "tokens", "list")).doesNotContain(name);
    assertThat(row(CliResult.succeed(root, "tokens", "list", "--all"), name).get(5))
        .isEqualTo(revoked.get("revoked"));
  }

  @Test
  void aBindingIsRevokedByItsIdAlone_andListedBySubject() throws Exception {
    RoleBinding granted = CliResult.json(RoleBinding.getDefaultInstance(),
        CliResult.succeed(root, "roles", "grant", "group:ml-audit", "AUDITOR", "-o", "json"));
    assertThat(granted.getModelPattern()).isEqualTo("*");
    assertThat(CliResult.rows(CliResult.succeed(root, "roles", "list", "--subject", "group:ml-audit")))
        .extracting(row -> row.get(0)).containsExactly("NAME", granted.getName());

    String id = granted.getName().substring("roleBindings/".length());
    assertThat(CliResult.succeed(root, "roles", "revoke", id)).isEqualTo("deleted " + granted.getName() + "\n");
    assertThat(CliResult.succeed(root, "roles", "list")).doesNotContain("group:ml-audit");

    CliResult again = CliResult.run(root, "roles", "revoke", granted.getName());
    assertThat(again.exitCode()).isEqualTo(GantryCli.EXIT_NOT_FOUND);
  }

  @Test
  void aTokenCreatedToExpire_showsWhenInTheList() throws Exception {
    Instant before = Instant.now();
    CreateApiTokenResponse created = CliResult.json(CreateApiTokenResponse.getDefaultInstance(),
        CliResult.succeed(root, "tokens", "create", "--principal", "deployer", "--expires-in", "2h", "-o", "json"));
    assertThat(created.getSecret()).startsWith("gantry_");
    Instant expires = Instant.ofEpochSecond(created.getApiToken().getExpireTime().getSeconds());
    assertThat(expires).isBetween(before.plus(Duration.ofHours(2)).minusSeconds(1),
        Instant.now().plus(Duration.ofHours(2)));

    String name = created.getApiToken().getName();
    assertThat(row(CliResult.succeed(root, "tokens", "list"), name).get(4)).isEqualTo(expires.toString());
    ListApiTokensResponse listed = CliResult.json(ListApiTokensResponse.getDefaultInstance(),
        CliResult.succeed(root, "tokens", "list", "-o", "json"));
    assertThat(listed.getApiTokensList()).anySatisfy(token -> {
      assertThat(token.getName()).isEqualTo(name);
      assertThat(token.getExpireTime()).isEqualTo(created.getApiToken().getExpireTime());
    });
  }

  @Test
  void aSecretFile_isNewAndOwnerOnly_andNothingIsMadeWhenItCannotBe() throws Exception {
    Path file = dir.resolve("loader.token");
    String out = CliResult.succeed(root, "tokens", "create", "--principal", "loader", "--secret-file", file.toString());
    assertThat(out).contains("secret written to " + file).doesNotContain("gantry_");
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    Map<String, String> loader = Map.of("GANTRY_TARGET", "127.0.0.1:" + server.grpcPort(),
        "GANTRY_TOKEN_FILE", file.toString());
    assertThat(CliResult.fields(CliResult.sections(CliResult.succeed(loader, "whoami")).get(0)))
        .containsEntry("principal", "loader").containsEntry("authenticated_by", "api-token");

    String secret = Files.readString(file);
    CliResult inTheWay = CliResult.run(root, "tokens", "create", "--principal", "loader",
        "--secret-file", file.toString());
    assertThat(inTheWay.exitCode()).isEqualTo(GantryCli.EXIT_USAGE);
    assertThat(inTheWay.err()).contains(file + " exists");
    assertThat(Files.readString(file)).isEqualTo(secret);

    Path refusedFile = dir.resolve("mallory.token");
    CliResult refused = CliResult.run(callingWith(issuer.token("mallory")), "tokens", "create",
        "--principal", "mallory", "--secret-file", refusedFile.toString());
    assertThat(refused.exitCode()).isEqualTo(GantryCli.EXIT_PERMISSION);
    assertThat(refused.err()).startsWith("error: PERMISSION_DENIED (MISSING_ROLE): mallory needs the admin role");
    assertThat(refusedFile).doesNotExist();

    assertThat(CliResult.rows(CliResult.succeed(root, "tokens", "list")))
        .filteredOn(row -> row.get(1).equals("loader")).hasSize(1);
  }

  @Test
  void badArguments_areUsageErrors_beforeAnyCall() {
    CliResult role = CliResult.run(root, "roles", "grant", "bob", "superuser");
    assertThat(role.exitCode()).isEqualTo(GantryCli.EXIT_USAGE);
    assertThat(role.err()).contains("unknown role 'superuser'; one of viewer, publisher, approver, auditor, admin");

    CliResult both = CliResult.run(root, "tokens", "create", "--principal", "x", "--expires-in", "1h",
        "--expires-at", "2030-01-01");
    assertThat(both.exitCode()).isEqualTo(GantryCli.EXIT_USAGE);
    assertThat(both.err()).startsWith("error: --expires-in=DURATION, --expires-at=TIME are mutually exclusive");

    CliResult token = CliResult.run(root, "tokens", "revoke", "apiTokens/");
    assertThat(token.exitCode()).isEqualTo(GantryCli.EXIT_USAGE);
    assertThat(token.err()).contains("expected an API token as its id or apiTokens/ID");
  }
}
