package io.gantry.server.web;

import com.sun.net.httpserver.HttpExchange;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The browser's side of a sign-in, kept in two cookies, both {@code HttpOnly} (no script reads them) and
 * {@code SameSite=Strict} (no other site's page sends them): {@value #CREDENTIAL} holds what the browser signed in
 * with, which every page passes on to the gRPC services exactly as a gRPC client would send it; {@value #CSRF} holds
 * a random token that every form repeats in a hidden field (double submit), so a form posted from another site,
 * which can neither read nor set the cookie, is refused. Nothing is kept on the server, so any replica answers.
 */
final class WebSession {

  static final String CREDENTIAL = "gantry_credential";
  static final String CSRF = "gantry_csrf";
  /** The hidden form field that repeats the CSRF cookie. */
  static final String CSRF_FIELD = "csrf";
  /** What a credential may hold to travel in a cookie and a gRPC header: user names, JWTs and API tokens do. */
  private static final Pattern COOKIE_SAFE = Pattern.compile("[A-Za-z0-9._~+/=@-]{1,8192}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Optional<String> credential;
  private final Optional<String> csrfCookie;
  private final String csrfToken;

  private WebSession(Optional<String> credential, Optional<String> csrfCookie, String csrfToken) {
    this.credential = credential;
    this.csrfCookie = csrfCookie;
    this.csrfToken = csrfToken;
  }

  static WebSession of(HttpExchange exchange) {
    List<String> headers = exchange.getRequestHeaders().getOrDefault("Cookie", List.of());
    Optional<String> credential = cookie(headers, CREDENTIAL).filter(WebSession::cookieSafe);
    Optional<String> csrf = cookie(headers, CSRF).filter(WebSession::cookieSafe);
    return new WebSession(credential, csrf, csrf.orElseGet(WebSession::newToken));
  }

  static boolean cookieSafe(String value) {
    return COOKIE_SAFE.matcher(value).matches();
  }

  /** The credential the browser signed in with; empty before sign-in. */
  Optional<String> credential() {
    return credential;
  }

  /** The token this page's forms carry. */
  String csrfToken() {
    return csrfToken;
  }

  /** Sets the CSRF cookie on a browser that has none yet. */
  void issueCsrfCookie(HttpExchange exchange) {
    if (csrfCookie.isEmpty()) {
      setCookie(exchange, CSRF, csrfToken, true);
    }
  }

  /**
   * Whether a form post comes from this site's own page: the browser holds the CSRF cookie and the form repeats it;
   * and if the browser says where the post comes from ({@code Origin}, {@code Sec-Fetch-Site}), that is this site.
   */
  boolean sameSitePost(HttpExchange exchange, String formToken) {
    if (csrfCookie.isEmpty() || formToken == null
        || !MessageDigest.isEqual(csrfCookie.get().getBytes(StandardCharsets.UTF_8),
            formToken.getBytes(StandardCharsets.UTF_8))) {
      return false;
    }
    String fetchSite = exchange.getRequestHeaders().getFirst("Sec-Fetch-Site");
    if (fetchSite != null && !fetchSite.equals("same-origin") && !fetchSite.equals("none")) {
      return false;
    }
    String origin = exchange.getRequestHeaders().getFirst("Origin");
    String host = exchange.getRequestHeaders().getFirst("Host");
    if (origin == null || host == null) {
      return true;
    }
    try {
      return host.equalsIgnoreCase(URI.create(origin).getRawAuthority());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  static void signIn(HttpExchange exchange, String credential) {
    setCookie(exchange, CREDENTIAL, credential, true);
  }

  static void signOut(HttpExchange exchange) {
    setCookie(exchange, CREDENTIAL, "", false);
  }

  private static void setCookie(HttpExchange exchange, String name, String value, boolean keep) {
    // Secure when a TLS-terminating proxy says the browser came over https; plain http on loopback needs it off
    boolean secure = "https".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("X-Forwarded-Proto"));
    exchange.getResponseHeaders().add("Set-Cookie", name + "=" + value + "; Path=" + WebUi.ROOT
        + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "") + (keep ? "" : "; Max-Age=0"));
  }

  private static Optional<String> cookie(List<String> headers, String name) {
    for (String header : headers) {
      for (String pair : header.split(";")) {
        int equals = pair.indexOf('=');
        if (equals > 0 && pair.substring(0, equals).trim().equals(name)) {
          String value = pair.substring(equals + 1).trim();
          return value.isEmpty() ? Optional.empty() : Optional.of(value);
        }
      }
    }
    return Optional.empty();
  }

  private static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
