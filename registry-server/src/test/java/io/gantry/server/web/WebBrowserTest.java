package io.gantry.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.server.HeadlessChromium;
import io.gantry.server.TestRegistry;
import io.gantry.v1.PromotionState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page in a real browser: headless Chromium driven through chromedriver (Debian's {@code chromium} and
 * {@code chromium-driver}; {@code .ci/run} installs them). Approvers review and decide the taxi team's champion
 * promotion entirely in the page, and a reviewer follows and verifies the trail. Each page is photographed into
 * {@code target/screenshots}, or the directory {@code -Dgantry.screenshots} names ({@code docs/screenshots} refreshes
 * the README's). Skipped, saying why, only where Chromium or chromedriver is not installed.
 */
class WebBrowserTest {

  private static final int WIDTH = 1280;
  private static final int TALLEST_SCREENSHOT = 3200;

  private static ChromeDriver driver;
  private static WebDriverWait wait;
  private static Path screenshots;
  private String base;

  @BeforeAll
  static void startChromium() throws IOException {
    driver = HeadlessChromium.start(WIDTH);
    wait = new WebDriverWait(driver, Duration.ofSeconds(15));
    screenshots = Path.of(System.getProperty("gantry.screenshots", "target/screenshots")).toAbsolutePath();
    Files.createDirectories(screenshots);
  }

  @AfterAll
  static void stopChromium() {
    if (driver != null) {
      driver.quit();
    }
  }

  @BeforeEach
  void signedOut() {
    base = "http://127.0.0.1:" + TestRegistry.httpPort();
    driver.get(base + "/ui/static/gantry.css");
    driver.manage().deleteAllCookies();
  }

  @Test
  void twoApprovers_reviewAndApproveTheChampionPromotionInThePage_andTheAliasMoves() {
    ChampionReview review = new ChampionReview();

    signIn("alice", "signin");
    open("/ui/promotions");
    WebElement queued = wait.until(ExpectedConditions.elementToBeClickable(
        By.cssSelector("#awaiting a[href='/ui/promotions/" + review.id() + "']")));
    screenshot("promotions-queue");
    queued.click();
    wait.until(ExpectedConditions.textToBe(By.id("state"), "AWAITING_APPROVAL"));
    assertThat(text("#verdicts")).contains("metric-threshold").contains("beats-current").contains("PENDING");
    assertThat(text("#metrics-diff")).contains("5.43").contains("5.21").contains("-0.22");
    assertThat(text("#signature-diff")).contains("input trip_distance").contains("same");
    screenshot("promotion-awaiting");
    decide("approve", "June backtest ok: rmse 5.21 on test");
    assertThat(text("#decisions")).contains("alice").contains("June backtest ok").contains("yes");
    assertThat(text("#state")).isEqualTo("AWAITING_APPROVAL");

    signIn("bob", null);
    open("/ui/promotions/" + review.id());
    decide("approve", "agreed");
    wait.until(ExpectedConditions.textToBe(By.id("state"), "APPLIED"));
    assertThat(text("#holder")).contains("champion pointed at version 1");
    screenshot("promotion-applied");
    assertThat(review.now().getState()).isEqualTo(PromotionState.PROMOTION_STATE_APPLIED);

    driver.findElement(By.linkText(review.model())).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("metric-plot")));
    assertThat(text("#aliases")).contains("champion 3");
    assertThat(driver.findElements(By.cssSelector("#alias-history li")).get(0).getText())
        .contains("champion: version 1 → version 3 by bob");
    assertThat(driver.findElements(By.cssSelector("#metric-plot circle.point"))).hasSize(3);
    screenshot("model");
    driver.findElement(By.cssSelector("#versions a[href$='/versions/3']")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("dependencies")));
    assertThat(text("#dependencies")).contains("scikit-learn==1.5.2").contains("pinned");
    screenshot("version");
    open("/ui/models?q=nyc-taxi");
    assertThat(text("#models")).contains(review.model());
    screenshot("models");
  }

  @Test
  void aRefusedApproval_showsTheServersReason() {
    ChampionReview review = new ChampionReview();

    signIn("carol", null);
    open("/ui/promotions/" + review.id());
    decide("approve", "I checked it myself");

    WebElement refusal = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[role=alert]")));
    assertThat(refusal.getText()).startsWith("PERMISSION_DENIED: ")
        .contains("the requester of a promotion may not approve it");
    assertThat(text("#state")).isEqualTo("AWAITING_APPROVAL");
    assertThat(driver.findElement(By.id("comment")).getDomProperty("value")).as("the comment is offered again")
        .isEqualTo("I checked it myself");
    screenshot("promotion-refused");
    assertThat(review.now().getDecisionsList()).isEmpty();
  }

  @Test
  void aReviewer_filtersTheTrailToOnePromotion_andVerifiesTheLog() {
    ChampionReview review = new ChampionReview();
    signIn("alice", null);
    open("/ui/promotions/" + review.id());
    decide("approve", "ok");

    signIn("vera", null);
    open("/ui/audit");
    driver.findElement(By.id("resource")).sendKeys(review.pending.getName());
    driver.findElement(By.cssSelector("form.filters button[type=submit]")).click();
    wait.until(ExpectedConditions.urlContains("resource="));
    List<String> actions = driver.findElements(By.cssSelector("#events tbody tr td:nth-child(4)")).stream()
        .map(WebElement::getText).toList();
    assertThat(actions).containsExactly("PROMOTION_REQUESTED", "PROMOTION_APPROVED");
    assertThat(text("#events")).contains("carol").contains("alice").contains("\"comment\": \"ok\"");
    screenshot("audit");

    driver.findElement(By.id("verify")).click();
    WebElement result = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("verification")));
    assertThat(result.getText()).startsWith("Verified: ").contains("events checked").contains("is signed by");
    assertThat(driver.findElements(By.cssSelector("#events tbody tr"))).as("the filter is kept").hasSize(2);
    screenshot("audit-verified");
  }

  @Test
  void withoutJavaScript_thePagesStillReadAndTheFormsStillPost() {
    ChampionReview review = new ChampionReview();
    driver.executeCdpCommand("Emulation.setScriptExecutionDisabled", Map.of("value", true));
    try {
      signIn("dana", null);
      open("/ui/promotions/" + review.id());
      assertThat(text("#verdicts")).contains("metric-threshold");
      decide("reject", "the June data is not final");
      wait.until(ExpectedConditions.textToBe(By.id("state"), "REJECTED"));
      assertThat(text("#decisions")).contains("dana").contains("rejected");
    } finally {
      driver.executeCdpCommand("Emulation.setScriptExecutionDisabled", Map.of("value", false));
    }
  }

  /** Signs in through the form, photographing it first when {@code screenshot} names the picture. */
  private void signIn(String user, String screenshot) {
    open("/ui/signin");
    WebElement name = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("user")));
    name.sendKeys(user);
    if (screenshot != null) {
      screenshot(screenshot);
    }
    name.submit();
    wait.until(ExpectedConditions.textToBe(By.id("principal"), user));
  }

  /** Writes a comment and presses Approve or Reject, then waits for the page the decision leads to. */
  private void decide(String button, String comment) {
    driver.findElement(By.id("comment")).sendKeys(comment);
    WebElement pressed = driver.findElement(By.id(button));
    pressed.click();
    wait.until(ExpectedConditions.stalenessOf(pressed));
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("state")));
  }

  private void open(String path) {
    driver.get(base + path);
  }

  private static String text(String css) {
    return driver.findElement(By.cssSelector(css)).getText();
  }

  /** The whole page: the window grows to the page's height for the picture, then returns to its size. */
  private static void screenshot(String name) {
    Dimension size = driver.manage().window().getSize();
    long height = (Long) ((JavascriptExecutor) driver).executeScript(
        "return document.documentElement.scrollHeight");
    driver.manage().window().setSize(new Dimension(WIDTH, (int) Math.min(height + 140, TALLEST_SCREENSHOT)));
    try {
      Files.write(screenshots.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      driver.manage().window().setSize(size);
    }
  }
}
