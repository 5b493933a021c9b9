package io.gantry.server.web;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.proto.Structs;
import io.gantry.server.TestRegistry;
import io.gantry.server.access.VerifiedServer;
import io.gantry.v1.AuditAction;
import io.gantry.v1.AuditEvent;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.GetPromotionRequest;
import io.gantry.v1.ListAuditEventsRequest;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.PolicyBinding;
import io.gantry.v1.PolicySpec;
import io.gantry.v1.Promotion;
import io.gantry.v1.PromotionState;
import io.gantry.v1.PromotionsGrpc;
import io.gantry.v1.RequestPromotionRequest;
import io.gantry.v1.Role;
import io.gantry.v1.SetPromotionPolicyRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The web page on a server that verifies its callers (JWTs and API tokens): the pages need a credential, the sign-in
 * form checks it with the server and begins a server-side session whose id (never the credential) an HttpOnly,
 * SameSite=Strict cookie holds, that no page or address repeats; a session begun with a JWT ends with it; roles apply
 * to what the page does exactly as to gRPC calls.
 */
class WebSignInTest {

  @RegisterExtension
  static final VerifiedServer gantry = new VerifiedServer();

  @Test
  void aPage_withoutSignIn_asksForIt() throws Exception {
    HttpResponse<String> page = browser().get("/ui/promotions");

    assertThat(page.statusCode()).isEqualTo(401);
    assertThat(page.body()).contains("UNAUTHENTICATED").contains("href=\"/ui/signin\"");
  }

  @Test
  void aTokenTheServerRefuses_isNotKept_andTheFormSaysWhy() throws Exception {
    PageClient browser = browser();
    String csrf = PageClient.csrfField(browser.get("/ui/signin"));

    HttpResponse<String> refused = browser.post("/ui/signin", Map.of("csrf", csrf, "credential", "gantry_not-a-token"));

    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.body()).contains("UNAUTHENTICATED: ").contains("type=\"password\"");
    assertThat(browser.cookies).doesNotContainKey(WebSession.SESSION);
  }

  @Test
  void anApiToken_signsIn_toASessionInAnHttpOnlyStrictCookie_thatNoPageOrAddressRepeats() throws Exception {
    String token = gantry.token("rita");
    gantry.grant("user:rita", Role.ROLE_VIEWER, "*");
    PageClient browser = browser();
    String csrf = PageClient.csrfField(browser.get("/ui/signin"));

    HttpResponse<String> signedIn = browser.post("/ui/signin", Map.of("csrf", csrf, "credential", token));

    assertThat(signedIn.statusCode()).isEqualTo(303);
    assertThat(signedIn.headers().firstValue("Location")).hasValue("/ui/promotions");
    assertThat(signedIn.headers().allValues("Set-Cookie")).singleElement().satisfies(cookie ->
        assertThat(cookie).startsWith(WebSession.SESSION + "=").doesNotContain(token).contains("HttpOnly")
            .contains("SameSite=Strict").contains("Path=/ui/").doesNotContain("Secure"));
    for (String path : new String[] {"/ui/promotions", "/ui/models", "/ui/signin"}) {
      HttpResponse<String> page = browser.get(path);
      assertThat(page.statusCode()).as(path).isEqualTo(200);
      assertThat(page.body()).as(path).contains("Signed in as <strong id=\"principal\">rita</strong> (api-token)")
          .doesNotContain(token);
    }
    HttpResponse<String> audit = browser.get("/ui/audit");
    assertThat(audit.statusCode()).as("a viewer is no auditor").isEqualTo(403);
    assertThat(audit.body()).contains("PERMISSION_DENIED: rita needs the auditor role").doesNotContain(token);

    HttpResponse<String> signedOut = browser.post("/ui/signout",
        Map.of("csrf", PageClient.csrfField(browser.get("/ui/promotions"))));
    assertThat(signedOut.statusCode()).isEqualTo(303);
    assertThat(browser.cookies).doesNotContainKey(WebSession.SESSION);
    assertThat(browser.get("/ui/promotions").statusCode()).isEqualTo(401);
  }

  @Test
  void withJwts_aViewersApprovalIsRefusedWithItsReason_andAnApproversMovesTheAlias() throws Exception {
    String model = TestRegistry.uniqueModel("web-verified");
    gantry.grant("user:erin", Role.ROLE_PUBLISHER, model);
    gantry.grant("user:alice", Role.ROLE_APPROVER, model, "champion");
    gantry.grant("user:vera", Role.ROLE_VIEWER, model);
    gantry.as(PromotionsGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT).setPromotionPolicy(
        SetPromotionPolicyRequest.newBuilder().setBinding(PolicyBinding.newBuilder().setModelPattern(model)
            .setAlias("champion").addPolicies(PolicySpec.newBuilder().setType("approvals").setParams(
                Structs.toStruct(Map.of("count", 1, "approvers", List.of("role:approver")))))).build());
    var erin = gantry.as(ModelRegistryGrpc.newBlockingStub(gantry.channel), "erin");
    erin.createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    erin.createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/" + model).build());
    Promotion requested = gantry.as(PromotionsGrpc.newBlockingStub(gantry.channel), "erin").requestPromotion(
        RequestPromotionRequest.newBuilder().setModel("models/" + model).setAlias("champion").setVersion(1).build());
    String approve = "/ui/" + requested.getName() + "/approve";

    PageClient vera = signedIn(gantry.jwt("vera"));
    HttpResponse<String> refused = vera.post(approve, Map.of("csrf", csrf(vera, requested), "comment", "lgtm"));
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.body()).contains("PERMISSION_DENIED: vera needs the approver role (or admin) on models/"
        + model + " (alias champion) to call gantry.v1.Promotions/ApprovePromotion");

    PageClient alice = signedIn(gantry.jwt("alice"));
    HttpResponse<String> approved = alice.post(approve, Map.of("csrf", csrf(alice, requested), "comment", "ok"));
    assertThat(approved.statusCode()).isEqualTo(303);
    assertThat(alice.get("/ui/models/" + model).body()).contains("</strong>: unset → version 1 by alice");
    assertThat(gantry.as(PromotionsGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT).getPromotion(
        GetPromotionRequest.newBuilder().setName(requested.getName()).build()).getState())
        .isEqualTo(PromotionState.PROMOTION_STATE_APPLIED);
    assertThat(gantry.as(AuditGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT).listAuditEvents(
        ListAuditEventsRequest.newBuilder().setResourcePrefix(requested.getName())
            .setAction(AuditAction.AUDIT_ACTION_PROMOTION_APPROVED).build()).getEventsList())
        .extracting(AuditEvent::getActor).containsExactly("alice");
  }

  @Test
  void aSessionBegunWithAJwt_endsWhenTheJwtExpires() throws Exception {
    gantry.grant("user:jade", Role.ROLE_VIEWER, "*");
    PageClient browser = signedIn(gantry.jwt(Duration.ofSeconds(3), "jade"));
    assertThat(browser.get("/ui/promotions").statusCode()).isEqualTo(200);

    await("the session ended with the JWT").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
        .until(() -> browser.get("/ui/promotions").statusCode() == 401);
  }

  private static PageClient browser() {
    return new PageClient(gantry.server.httpPort());
  }

  private static PageClient signedIn(String credential) throws Exception {
    PageClient browser = browser();
    browser.signIn(credential);
    return browser;
  }

  private static String csrf(PageClient browser, Promotion promotion) throws Exception {
    return PageClient.csrfField(browser.get("/ui/" + promotion.getName()));
  }
}
