package io.gantry.server.web;

import static io.gantry.server.TestRegistry.registry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.server.TestRegistry;
import io.gantry.v1.AccessControlGrpc;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.GetCallerRequest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.PromotionState;
import io.gantry.v1.RegisteredModel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The web page over plain HTTP, no browser: what each page shows, that nothing a caller stored becomes markup, and
 * that a form posted without this site's CSRF token changes nothing. The shared test server runs on its loopback
 * default, where signing in names the caller.
 */
class WebPageHttpTest {

  private static final String SCRIPT = "<script>alert('gantry')</script>";
  private static final String ESCAPED = "&lt;script&gt;alert(&#39;gantry&#39;)&lt;/script&gt;";

  private PageClient browser;

  @BeforeEach
  void newBrowser() {
    browser = new PageClient(TestRegistry.httpPort());
  }

  @Test
  void modelPages_escapeEveryDescriptionTagAndSearchTheyShow() throws Exception {
    String model = TestRegistry.uniqueModel("escape");
    registry("erin").createModel(CreateModelRequest.newBuilder().setModelId(model).setModel(RegisteredModel
        .newBuilder().setDescription("scores trips " + SCRIPT).putTags("owner", SCRIPT)).build());
    registry("erin").createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/" + model)
        .setModelVersion(ModelVersion.newBuilder().setDescription(SCRIPT).putTags(SCRIPT, SCRIPT)
            .setRunLink("javascript:alert(1)")).build());

    for (String path : new String[] {"/ui/models?q=" + model, "/ui/models/" + model,
        "/ui/models/" + model + "/versions/1"}) {
      HttpResponse<String> page = browser.get(path);
      assertThat(page.statusCode()).as(path).isEqualTo(200);
      assertThat(page.body()).as(path).contains(ESCAPED).doesNotContain(SCRIPT).doesNotContain("<script>alert");
    }
    assertThat(browser.get("/ui/models/" + model + "/versions/1").body())
        .doesNotContain("href=\"javascript:");
    HttpResponse<String> search = browser.get("/ui/models?q=%3Cscript%3Ealert('gantry')%3C%2Fscript%3E");
    assertThat(search.body()).contains("value=\"" + ESCAPED + "\"").doesNotContain(SCRIPT);
  }

  @Test
  void everyPage_readsWithoutSignIn_underAPolicyThatAllowsOnlyThisSitesOwnFiles() throws Exception {
    ChampionReview review = new ChampionReview();

    HttpResponse<String> home = browser.get("/ui/");
    assertThat(home.statusCode()).isEqualTo(303);
    assertThat(home.headers().firstValue("Location")).hasValue("/ui/promotions");
    HttpResponse<String> queue = browser.get("/ui/promotions?model=" + review.model());
    assertThat(queue.statusCode()).isEqualTo(200);
    assertThat(queue.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
        assertThat(csp).contains("default-src 'none'").contains("script-src 'self'").contains("form-action 'self'"));
    assertThat(queue.body()).contains("Awaiting approval (1)").contains("/ui/promotions/" + review.id())
        .contains("champion → version 3 (was 1)");

    String promotion = browser.get("/ui/promotions/" + review.id()).body();
    assertThat(promotion).contains("AWAITING_APPROVAL").contains("metric-threshold").contains("beats-current")
        .contains("rmse").contains("5.21").contains("5.43").contains("-0.22")
        .contains("input trip_distance").contains("Approve").contains("Reject");

    String model = browser.get("/ui/models/" + review.model() + "?metric=rmse&dataset=test").body();
    assertThat(model).contains("<svg").contains("id=\"metric-plot\"").contains("version 3: 5.21")
        .contains("version 2: 5.9").contains("unset → version 1");
    String version = browser.get("/ui/models/" + review.model() + "/versions/3").body();
    assertThat(version).contains("trip_distance").contains("double").contains("scikit-learn==1.5.2")
        .contains("pinned").contains("git_commit").contains("9f2c1e7");

    String audit = browser.get("/ui/audit?resource=" + review.pending.getName()).body();
    assertThat(audit).contains("PROMOTION_REQUESTED").contains("carol").contains("Latest signed checkpoint");
    HttpResponse<String> css = browser.get("/ui/static/gantry.css");
    assertThat(css.statusCode()).isEqualTo(200);
    assertThat(css.headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
  }

  @Test
  void anApproval_withoutTheCsrfTokenOrWithAWrongOneOrFromAnotherSite_isRefusedAndChangesNothing() throws Exception {
    ChampionReview review = new ChampionReview();
    browser.signIn("alice");
    String token = PageClient.csrfField(browser.get("/ui/promotions/" + review.id()));
    String approve = "/ui/promotions/" + review.id() + "/approve";

    HttpResponse<String> missing = browser.post(approve, Map.of("comment", "forged"));
    HttpResponse<String> wrong = browser.post(approve, Map.of("csrf", token + "x", "comment", "forged"));
    HttpResponse<String> otherSite = browser.post(approve, Map.of("csrf", token, "comment", "forged"),
        "Origin", "http://evil.example");
    PageClient otherBrowser = new PageClient(TestRegistry.httpPort());
    otherBrowser.signIn("alice");
    HttpResponse<String> otherSession = browser.post(approve, Map.of("csrf",
        PageClient.csrfField(otherBrowser.get("/ui/promotions/" + review.id())), "comment", "forged"));

    for (HttpResponse<String> refused : java.util.List.of(missing, wrong, otherSession)) {
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(refused.body()).contains("CSRF token is missing or does not match");
    }
    // the HTTP port's boundary refuses another site's write before the page sees it (ops.HttpBoundaryTest)
    assertThat(otherSite.statusCode()).isEqualTo(403);
    assertThat(otherSite.body()).contains("a cross-site POST is refused");
    assertThat(review.now().getDecisionsList()).isEmpty();

    HttpResponse<String> approved = browser.post(approve, Map.of("csrf", token, "comment", "June backtest ok"));
    assertThat(approved.statusCode()).isEqualTo(303);
    assertThat(review.now().getDecisionsList()).singleElement().satisfies(decision -> {
      assertThat(decision.getPrincipal()).isEqualTo("alice");
      assertThat(decision.getComment()).isEqualTo("June backtest ok");
    });
    assertThat(review.now().getState()).isEqualTo(PromotionState.PROMOTION_STATE_AWAITING_APPROVAL);
  }

  @Test
  void aRefusedApproval_showsTheServersReasonVerbatim() throws Exception {
    ChampionReview review = new ChampionReview();
    browser.signIn("carol");
    String token = PageClient.csrfField(browser.get("/ui/promotions/" + review.id()));

    HttpResponse<String> refused = browser.post("/ui/promotions/" + review.id() + "/approve",
        Map.of("csrf", token, "comment", "mine"));

    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.body()).contains("role=\"alert\"").contains("PERMISSION_DENIED: ")
        .contains("the requester of a promotion may not approve it");
    assertThat(review.now().getDecisionsList()).isEmpty();
  }

  @Test
  void theSessionHeader_fromANetworkCaller_isUnauthenticated_onTheLoopbackDefaultToo() throws Exception {
    Metadata headers = new Metadata();
    // whatever it holds: the header is the page's own, and nothing a network caller may send
    headers.put(Metadata.Key.of("x-gantry-web-session", Metadata.ASCII_STRING_MARSHALLER), "any-session-id");
    var stub = AccessControlGrpc.newBlockingStub(TestRegistry.channel())
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));

    StatusRuntimeException refused = catchThrowableOfType(() -> stub.getCaller(GetCallerRequest.getDefaultInstance()),
        StatusRuntimeException.class);

    assertThat(refused).as("not taken as anonymous").isNotNull();
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
  }

  @Test
  void signIn_refusesANameTheIdentityHeaderWouldRefuse() throws Exception {
    String token = PageClient.csrfField(browser.get("/ui/signin"));

    HttpResponse<String> refused = browser.post("/ui/signin", Map.of("csrf", token, "credential", "carol smith"));

    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(browser.cookies).doesNotContainKey(WebSession.SESSION);
  }

  @Test
  void theAuditFilter_refusesATimeItCannotRead_sayingWhatItTakes() throws Exception {
    HttpResponse<String> page = browser.get("/ui/audit?from=yesterday");

    assertThat(page.statusCode()).isEqualTo(400);
    assertThat(page.body()).contains("from: &#39;yesterday&#39; is not a date");
  }
}
