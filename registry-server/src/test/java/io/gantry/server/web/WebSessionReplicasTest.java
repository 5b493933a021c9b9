package io.gantry.server.web;

import static org.awaitility.Awaitility.await;
import static io.gantry.server.access.VerifiedServer.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import io.gantry.v1.AccessControlGrpc;
import io.gantry.v1.ApiToken;
import io.gantry.v1.AuditAction;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.CreateApiTokenRequest;
import io.gantry.v1.CreateRoleBindingRequest;
import io.gantry.v1.GetCallerRequest;
import io.gantry.v1.ListAuditEventsRequest;
import io.gantry.v1.RevokeApiTokenRequest;
import io.gantry.v1.Role;
import io.gantry.v1.RoleBinding;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Web sessions kept server-side, on three replicas of one PostgreSQL that accept API tokens: the cookie holds a
 * session id and never the token; a session made on one replica serves on the others; Sign out ends it on every
 * replica at once, so a copied cookie is worth nothing after it; sessions expire and are swept; a form's CSRF token
 * belongs to its session; and the header through which the page's in-process calls name their session is refused
 * from the network, and that refusal audited. The third replica ends sessions after three idle seconds, or eight in all.
 */
class WebSessionReplicasTest {

  private static final String SESSION_HEADER = "x-gantry-web-session";
  private static final int IDLE_SECONDS = 3;
  private static final int LIFETIME_SECONDS = 8;
  private static Path dir;
  private static EmbeddedPostgres postgres;
  private static GantryServer first;
  private static GantryServer second;
  private static GantryServer brief;
  private static ManagedChannel toFirst;
  private static ManagedChannel toSecond;
  private static ManagedChannel toBrief;
  private static String admin;

  @BeforeAll
  static void start() throws Exception {
    dir = TestRegistry.tempDir("gantry-web-sessions");
    postgres = EmbeddedPostgres.builder().start();
    Path bootstrap = dir.resolve("secrets").resolve("admin.token");
    Map<String, String> env = new HashMap<>(Map.of("GANTRY_DB_URL", postgres.getJdbcUrl("postgres", "postgres"),
        "GANTRY_DB_USER", "postgres", "GANTRY_AUDIT_KEY_FILE", dir.resolve("shared-signing.key").toString(),
        "GANTRY_API_TOKENS", "true", "GANTRY_BOOTSTRAP_TOKEN_FILE", bootstrap.toString()));
    first = TestRegistry.start(dir, env);
    second = TestRegistry.start(dir, env);
    env.put("GANTRY_WEB_SESSION_IDLE_SECONDS", String.valueOf(IDLE_SECONDS));
    env.put("GANTRY_WEB_SESSION_LIFETIME_SECONDS", String.valueOf(LIFETIME_SECONDS));
    brief = TestRegistry.start(dir, env);
    toFirst = TestRegistry.connect(first);
    toSecond = TestRegistry.connect(second);
    toBrief = TestRegistry.connect(brief);
    admin = Files.readString(bootstrap).trim();
  }

  @AfterAll
  static void stop() throws Exception {
    toFirst.shutdownNow();
    toSecond.shutdownNow();
    toBrief.shutdownNow();
    brief.close();
    second.close();
    first.close();
    postgres.close();
    TestRegistry.deleteRecursively(dir);
  }

  @Test
  void theCookie_holdsASessionId_neverTheToken() throws Exception {
    String token = viewer("rita");
    PageClient browser = new PageClient(first.httpPort());
    String csrf = PageClient.csrfField(browser.get("/ui/signin"));

    HttpResponse<String> signedIn = browser.post("/ui/signin", Map.of("csrf", csrf, "credential", token));

    assertThat(signedIn.statusCode()).isEqualTo(303);
    assertThat(signedIn.headers().allValues("Set-Cookie")).isNotEmpty()
        .allSatisfy(cookie -> assertThat(cookie).doesNotContain(token));
    assertThat(browser.cookies).containsKey("gantry_session").doesNotContainValue(token);
    assertThat(browser.get("/ui/promotions").body()).contains("Signed in as <strong id=\"principal\">rita</strong>");
  }

  @Test
  void aSessionMadeOnOneReplica_servesOnAnother() throws Exception {
    PageClient onFirst = signedIn(first, viewer("sam"));

    HttpResponse<String> onSecond = onFirst.copyTo(second.httpPort()).get("/ui/promotions");

    assertThat(onSecond.statusCode()).isEqualTo(200);
    assertThat(onSecond.body()).contains("Signed in as <strong id=\"principal\">sam</strong> (api-token)");
  }

  @Test
  void aCookieCopiedBeforeSignOut_isRefusedAfterIt_onEveryReplica() throws Exception {
    PageClient owner = signedIn(first, viewer("tess"));
    PageClient thiefOnFirst = owner.copyTo(first.httpPort());
    PageClient thiefOnSecond = owner.copyTo(second.httpPort());
    assertThat(thiefOnSecond.get("/ui/promotions").statusCode()).as("the copy works while signed in").isEqualTo(200);

    HttpResponse<String> signedOut = owner.post("/ui/signout",
        Map.of("csrf", PageClient.csrfField(owner.get("/ui/promotions"))));

    assertThat(signedOut.statusCode()).isEqualTo(303);
    for (PageClient thief : List.of(thiefOnFirst, thiefOnSecond)) {
      HttpResponse<String> page = thief.get("/ui/promotions");
      assertThat(page.statusCode()).isEqualTo(401);
      assertThat(page.body()).contains("href=\"/ui/signin\"").doesNotContain("Signed in as");
    }
  }

  @Test
  void revokingTheTokenASessionWasMadeWith_endsTheSession() throws Exception {
    String token = viewer("uma");
    PageClient browser = signedIn(first, token);
    String tokenName = bearer(AccessControlGrpc.newBlockingStub(toFirst), token)
        .getCaller(GetCallerRequest.getDefaultInstance()).getApiToken();

    bearer(AccessControlGrpc.newBlockingStub(toFirst), admin)
        .revokeApiToken(RevokeApiTokenRequest.newBuilder().setName(tokenName).build());

    awaitTrue(() -> browser.copyTo(second.httpPort()).get("/ui/promotions")
        .statusCode() == 401);
  }

  @Test
  void aSessionInUse_livesUntilItsLifetimeEnds_andIsThenRefusedAndSwept() throws Exception {
    String token = viewer("vic");
    long signedIn = System.nanoTime();
    PageClient used = signedIn(brief, token);
    signedIn(brief, token);
    assertThat(sessionsOf("vic")).isEqualTo(2);

    // used more often than the idle limit, so only its lifetime can end it
    await("ended by its lifetime").atMost(Duration.ofSeconds(LIFETIME_SECONDS + 10))
        .pollInterval(Duration.ofMillis(200)).until(() -> used.get("/ui/promotions").statusCode() != 200);
    assertThat(Duration.ofNanos(System.nanoTime() - signedIn)).as("not before its lifetime")
        .isGreaterThanOrEqualTo(Duration.ofSeconds(LIFETIME_SECONDS));
    assertThat(used.copyTo(first.httpPort()).get("/ui/promotions").statusCode())
        .as("expired on every replica").isEqualTo(401);
    // the one presented again is deleted on that read; the other, never presented again, by the sweep
    awaitTrue(() -> sessionsOf("vic") == 0);
  }

  @Test
  void anIdleSession_isRefused() throws Exception {
    PageClient idle = signedIn(brief, viewer("ivy"));
    assertThat(idle.get("/ui/promotions").statusCode()).isEqualTo(200);

    // not read again until the database holds it idle: a read would renew it
    await().atMost(Duration.ofSeconds(IDLE_SECONDS + 10)).until(() -> activeSessionsOf("ivy") == 0);

    assertThat(idle.get("/ui/promotions").statusCode()).isEqualTo(401);
  }

  @Test
  void aFormWithAnotherSessionsCsrfToken_isRefused_evenWithThatTokenPlantedInTheCsrfCookie() throws Exception {
    PageClient victim = signedIn(first, viewer("wes"));
    PageClient attacker = signedIn(first, viewer("xena"));
    String attackersToken = PageClient.csrfField(attacker.get("/ui/promotions"));
    // a cookie planted from a sibling subdomain or over plain http, which double submit alone cannot tell apart
    victim.cookies.put(WebSession.CSRF, attackersToken);

    HttpResponse<String> refused = victim.post("/ui/signout", Map.of("csrf", attackersToken));

    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.body()).contains("CSRF token is missing or does not match");
    assertThat(victim.get("/ui/promotions").body()).contains("Signed in as <strong id=\"principal\">wes</strong>");
  }

  @Test
  void theSessionHeader_fromANetworkCaller_isUnauthenticated_evenWithALiveSessionId() throws Exception {
    PageClient browser = signedIn(first, viewer("yuri"));
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of(SESSION_HEADER, Metadata.ASCII_STRING_MARSHALLER),
        browser.cookies.get("gantry_session"));
    var stub = AccessControlGrpc.newBlockingStub(toFirst)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));

    StatusRuntimeException refused = catchThrowableOfType(
        () -> stub.getCaller(GetCallerRequest.getDefaultInstance()), StatusRuntimeException.class);

    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(refused.getStatus().getDescription()).contains(SESSION_HEADER);
    var audit = bearer(AuditGrpc.newBlockingStub(toFirst), admin);
    awaitTrue(() -> audit.listAuditEvents(ListAuditEventsRequest.newBuilder()
        .setAction(AuditAction.AUDIT_ACTION_CREDENTIAL_REJECTED).setPageSize(1000).build()).getEventsList().stream()
        .anyMatch(event -> event.getPayload().getFieldsOrThrow("reasons").getListValue().getValuesList().stream()
            .anyMatch(reason -> reason.getStringValue().contains(SESSION_HEADER))));
  }

  /** An API token for {@code principal}, a viewer of every model. */
  /**
   * A viewer's API token, once every replica has heard of it: tokens are made on the first, and the others learn of
   * them through the change feed, a few milliseconds later.
   */
  private static String viewer(String principal) throws Exception {
    var access = bearer(AccessControlGrpc.newBlockingStub(toFirst), admin);
    access.createRoleBinding(CreateRoleBindingRequest.newBuilder().setRoleBinding(RoleBinding.newBuilder()
        .setSubject("user:" + principal).setRole(Role.ROLE_VIEWER).setModelPattern("*")).build());
    String token = access.createApiToken(CreateApiTokenRequest.newBuilder().setApiToken(ApiToken.newBuilder()
        .setPrincipal(principal)).build()).getSecret();
    for (ManagedChannel replica : List.of(toFirst, toSecond, toBrief)) {
      awaitTrue(() -> {
        try {
          bearer(AccessControlGrpc.newBlockingStub(replica), token).getCaller(GetCallerRequest.getDefaultInstance());
          return true;
        } catch (StatusRuntimeException e) {
          return false;
        }
      });
    }
    return token;
  }

  private static PageClient signedIn(GantryServer server, String credential) throws Exception {
    PageClient browser = new PageClient(server.httpPort());
    browser.signIn(credential);
    return browser;
  }

  private static int sessionsOf(String principal) throws Exception {
    return countSessions(principal, "");
  }

  /** The principal's sessions used within the idle time, by the database's clock (the servers share its host). */
  private static int activeSessionsOf(String principal) throws Exception {
    return countSessions(principal, " AND last_use_time > now() - interval '" + IDLE_SECONDS + " seconds'");
  }

  private static int countSessions(String principal, String andCondition) throws Exception {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        var query = connection.prepareStatement("SELECT count(*) FROM web_session WHERE principal = ?"
            + andCondition)) {
      query.setString(1, principal);
      try (ResultSet rows = query.executeQuery()) {
        rows.next();
        return rows.getInt(1);
      }
    }
  }

  /** Polls {@code condition} until it holds, for at most ten seconds. */
  private static void awaitTrue(Callable<Boolean> condition) {
    await().atMost(Duration.ofSeconds(10)).until(condition);
  }
}
