package io.gantry.server.ops;

import static io.gantry.server.ops.HttpCalls.champion;
import static io.gantry.server.ops.HttpCalls.championMoves;
import static io.gantry.server.ops.HttpCalls.exists;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.gantry.server.HeadlessChromium;
import io.gantry.server.TestRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A hostile page in a real browser (headless Chromium): served from another loopback port, so another origin, it
 * sends the writes a page may send without asking (a {@code no-cors} {@code fetch} with {@code text/plain}, forms
 * that submit themselves as {@code text/plain} and urlencoded) to the developer's Gantry. Nothing changes. Run from
 * {@code localhost} the page is another site; from {@code 127.0.0.1} on another port it is the same site but another
 * origin.
 */
class CrossSiteBrowserTest {

  private static final Map<String, String> PAGES = new ConcurrentHashMap<>();
  private static ChromeDriver driver;
  private static WebDriverWait wait;
  private static HttpServer attacker;

  @BeforeAll
  static void startBrowserAndAttacker() throws IOException {
    driver = HeadlessChromium.start(1024);
    wait = new WebDriverWait(driver, Duration.ofSeconds(15));
    attacker = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    attacker.createContext("/", exchange -> {
      byte[] page = PAGES.getOrDefault(exchange.getRequestURI().getPath(), "").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      exchange.sendResponseHeaders(200, page.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(page);
      }
    });
    attacker.start();
  }

  @AfterAll
  static void stop() {
    if (driver != null) {
      driver.quit();
    }
    if (attacker != null) {
      attacker.stop(0);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "127.0.0.1"})
  void aPageFromAnotherOrigin_createsNoModel_andMovesNoAlias(String attackerHost) throws Exception {
    String gantry = HttpCalls.base();
    String model = HttpCalls.modelWithChampion("browser-victim");
    String byFetch = TestRegistry.uniqueModel("pwned-fetch");
    String byTextForm = TestRegistry.uniqueModel("pwned-text-form");
    String byUrlencodedForm = TestRegistry.uniqueModel("pwned-urlencoded-form");
    String create = gantry + "/api/2.0/mlflow/registered-models/create";
    String alias = gantry + "/api/2.0/mlflow/registered-models/alias";
    String move = "{\"name\": \"" + model + "\", \"alias\": \"champion\", \"version\": \"2\"}";

    run(attackerHost, "/fetch", """
        <script>
        const send = (url, body) => fetch(url, {method: 'POST', mode: 'no-cors',
            headers: {'Content-Type': 'text/plain'}, body: body});
        send('%s', JSON.stringify({name: '%s'}))
          .then(() => send('%s', '%s'))
          .then(() => { document.title = 'sent'; }, error => { document.title = 'sent: ' + error; });
        </script>
        """.formatted(create, byFetch, alias, move));
    wait.until(browser -> browser.getTitle().startsWith("sent"));
    assertThat(driver.getTitle()).as("both requests reached the server").isEqualTo("sent");

    // text/plain posts "NAME=VALUE": the name opens a JSON object, the value closes it
    submit(attackerHost, "/form-text", create, "text/plain",
        "<input name='{\"name\": \"" + byTextForm + "\", \"x\": \"' value='\"}'>");
    submit(attackerHost, "/form-alias", alias, "text/plain",
        "<input name='" + move.substring(0, move.length() - 1) + ", \"x\": \"' value='\"}'>");
    // an empty urlencoded form: MLflow's handler reads its parameters from the query string
    submit(attackerHost, "/form-urlencoded", create + "?name=" + byUrlencodedForm,
        "application/x-www-form-urlencoded", "");

    for (String pwned : List.of(byFetch, byTextForm, byUrlencodedForm)) {
      assertThat(exists(pwned)).as(pwned).isFalse();
    }
    assertThat(champion(model)).isEqualTo(1);
    assertThat(championMoves(model)).isEqualTo(1);
  }

  /** Opens an attacker page at {@code path} on the attacker's own port. */
  private static void run(String attackerHost, String path, String html) {
    PAGES.put(path, "<!doctype html><html><head><title>loading</title></head><body>" + html + "</body></html>");
    driver.get("http://" + attackerHost + ":" + attacker.getAddress().getPort() + path);
  }

  /** A form that submits itself to Gantry as soon as it loads; returns once the browser shows Gantry's answer. */
  private static void submit(String attackerHost, String path, String action, String enctype, String fields) {
    run(attackerHost, path, "<form id='f' method='POST' action='" + action + "' enctype='" + enctype + "'>" + fields
        + "</form><script>document.getElementById('f').submit();</script>");
    wait.until(browser -> browser.getCurrentUrl().startsWith(HttpCalls.base()));
  }
}
