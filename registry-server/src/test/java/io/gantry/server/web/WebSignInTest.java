package io.gantry.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.server.GantryServer;
import io.gantry.server.TestRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Signing in to the web page on a server that verifies its callers (API tokens here; JWTs travel the same way): the
 * pages need a credential, the sign-in form checks it with the server, and it is kept in an HttpOnly, SameSite=Strict
 * cookie, never written into a page or an address.
 */
class WebSignInTest {

  private static Path dataDir;
  private static GantryServer server;
  private static String adminToken;

  @BeforeAll
  static void verifiedServer() throws Exception {
    dataDir = TestRegistry.tempDir("gantry-web-signin");
    Path tokenFile = dataDir.resolve("bootstrap.token");
    server = TestRegistry.start(dataDir, Map.of("GANTRY_API_TOKENS", "true",
        "GANTRY_BOOTSTRAP_TOKEN_FILE", tokenFile.toString()));
    adminToken = Files.readString(tokenFile).strip();
  }

  @AfterAll
  static void stop() {
    server.close();
    TestRegistry.deleteRecursively(dataDir);
  }

  @Test
  void aPage_withoutSignIn_asksForIt() throws Exception {
    HttpResponse<String> page = new PageClient(server.httpPort()).get("/ui/promotions");

    assertThat(page.statusCode()).isEqualTo(401);
    assertThat(page.body()).contains("UNAUTHENTICATED").contains("href=\"/ui/signin\"");
  }

  @Test
  void aTokenTheServerRefuses_isNotKept_andTheFormSaysWhy() throws Exception {
    PageClient browser = new PageClient(server.httpPort());
    String csrf = PageClient.csrfField(browser.get("/ui/signin"));

    HttpResponse<String> refused = browser.post("/ui/signin", Map.of("csrf", csrf, "credential", "gantry_not-a-token"));

    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.body()).contains("UNAUTHENTICATED: ").contains("type=\"password\"");
    assertThat(browser.cookies).doesNotContainKey(WebSession.CREDENTIAL);
  }

  @Test
  void aValidToken_signsIn_inAnHttpOnlyStrictCookie_thatNoPageOrAddressRepeats() throws Exception {
    PageClient browser = new PageClient(server.httpPort());
    String csrf = PageClient.csrfField(browser.get("/ui/signin"));

    HttpResponse<String> signedIn = browser.post("/ui/signin", Map.of("csrf", csrf, "credential", adminToken));

    assertThat(signedIn.statusCode()).isEqualTo(303);
    assertThat(signedIn.headers().firstValue("Location")).hasValue("/ui/promotions");
    assertThat(signedIn.headers().allValues("Set-Cookie")).singleElement().satisfies(cookie ->
        assertThat(cookie).startsWith(WebSession.CREDENTIAL + "=" + adminToken + ";").contains("HttpOnly")
            .contains("SameSite=Strict").contains("Path=/ui/"));
    for (String path : new String[] {"/ui/promotions", "/ui/models", "/ui/audit", "/ui/signin"}) {
      HttpResponse<String> page = browser.get(path);
      assertThat(page.statusCode()).as(path).isEqualTo(200);
      assertThat(page.body()).as(path).contains("Signed in as").contains("bootstrap-admin")
          .doesNotContain(adminToken);
    }

    HttpResponse<String> signedOut = browser.post("/ui/signout", Map.of("csrf", csrf));
    assertThat(signedOut.statusCode()).isEqualTo(303);
    assertThat(browser.cookies).doesNotContainKey(WebSession.CREDENTIAL);
    assertThat(browser.get("/ui/promotions").statusCode()).isEqualTo(401);
  }
}
