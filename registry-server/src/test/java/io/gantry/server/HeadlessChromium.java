package io.gantry.server;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium driven through chromedriver (Debian's {@code chromium} and {@code chromium-driver}; {@code .ci/run}
 * installs them). A test that needs a browser is skipped, saying why, only where either is not installed.
 */
public final class HeadlessChromium {

  private static final List<String> CHROMIUM = List.of("chromium", "chromium-browser", "google-chrome");
  private static final List<String> CHROMEDRIVER = List.of("chromedriver");

  /**
   * Only chromedriver's own CDP endpoint is used, so Selenium's bundled CDP bindings need not match the installed
   * Chromium: its warning that they do not is noise. Held here, as a logger's level is lost when nothing holds it.
   */
  private static final Logger CDP_VERSION_NOTICE = Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  private HeadlessChromium() {}

  /** A browser {@code width} pixels wide; skips the calling test where Chromium or chromedriver is missing. */
  public static ChromeDriver start(int width) {
    Optional<Path> chromium = onPath(CHROMIUM);
    Optional<Path> chromedriver = onPath(CHROMEDRIVER);
    assumeTrue(chromium.isPresent() && chromedriver.isPresent(), "browser tests skipped: Chromium or chromedriver "
        + "is not installed (apt-get install chromium chromium-driver); found chromium=" + chromium
        + ", chromedriver=" + chromedriver);
    ChromeOptions options = new ChromeOptions().setBinary(chromium.get().toFile())
        // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start
        .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
            "--window-size=" + width + ",900", "--lang=en-US");
    // the driver named outright, so Selenium never goes looking for one on the network
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.get().toFile())
        .usingAnyFreePort().build();
    CDP_VERSION_NOTICE.setLevel(Level.OFF);
    return new ChromeDriver(service, options);
  }

  private static Optional<Path> onPath(List<String> names) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
        .flatMap(dir -> names.stream().map(name -> Path.of(dir, name)))
        .filter(Files::isExecutable).findFirst();
  }
}
