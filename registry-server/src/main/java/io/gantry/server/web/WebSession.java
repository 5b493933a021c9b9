package io.gantry.server.web;

import io.gantry.server.ops.HttpCall;
import io.gantry.server.session.WebSessions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The browser's side of a sign-in, kept in cookies that are {@code HttpOnly} (no script reads them),
 * {@code SameSite=Strict} (no other site's page sends them) and, whenever the page is served over TLS, {@code Secure}.
 * {@value #SESSION} holds the id of a server-side session ({@link WebSessions}), never the credential signed in with.
 * Every form repeats a CSRF token: once signed in, an HMAC of the session id, so a token read or planted from another
 * session is refused; before (the sign-in form), a random token that {@value #CSRF} holds too (double submit).
 */
final class WebSession {

  static final String SESSION = "gantry_session";
  static final String CSRF = "gantry_csrf";
  /** The hidden form field that repeats the CSRF token. */
  static final String CSRF_FIELD = "csrf";
  /** What a credential may hold to travel in a gRPC header: user names, JWTs and API tokens do. */
  private static final Pattern CREDENTIAL_SAFE = Pattern.compile("[A-Za-z0-9._~+/=@-]{1,8192}");
  private static final Pattern RANDOM_TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");
  private static final byte[] CSRF_PURPOSE = "gantry web csrf".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Optional<String> id;
  private final Optional<String> csrfCookie;
  private final String csrfToken;

  private WebSession(Optional<String> id, Optional<String> csrfCookie, String csrfToken) {
    this.id = id;
    this.csrfCookie = csrfCookie;
    this.csrfToken = csrfToken;
  }

  static WebSession of(HttpCall call) {
    List<String> headers = call.headers("Cookie");
    Optional<String> id = cookie(headers, SESSION).filter(WebSessions::wellFormed);
    Optional<String> csrf = cookie(headers, CSRF).filter(value -> RANDOM_TOKEN.matcher(value).matches());
    String csrfToken = id.map(WebSession::boundToken).orElseGet(() -> csrf.orElseGet(WebSession::newToken));
    return new WebSession(id, csrf, csrfToken);
  }

  static boolean credentialSafe(String value) {
    return CREDENTIAL_SAFE.matcher(value).matches();
  }

  /** The id of the session the browser holds; empty before sign-in. It may have ended since. */
  Optional<String> id() {
    return id;
  }

  /** The token this page's forms carry. */
  String csrfToken() {
    return csrfToken;
  }

  /** Sets the pre-session CSRF cookie on a browser that has none yet. */
  void issueCsrfCookie(HttpCall call) {
    if (csrfCookie.isEmpty() && id.isEmpty()) {
      setCookie(call, CSRF, csrfToken, true);
    }
  }

  /**
   * Whether a form post comes from this site's own page: the form repeats the token of the browser's session (or,
   * before sign-in, its CSRF cookie); and if the browser says where the post comes from ({@code Origin},
   * {@code Sec-Fetch-Site}), that is this site.
   */
  boolean sameSitePost(HttpCall call, String formToken) {
    Optional<String> expected = id.isPresent() ? Optional.of(csrfToken) : csrfCookie;
    if (expected.isEmpty() || formToken == null
        || !MessageDigest.isEqual(expected.get().getBytes(StandardCharsets.UTF_8),
            formToken.getBytes(StandardCharsets.UTF_8))) {
      return false;
    }
    String fetchSite = call.header("Sec-Fetch-Site");
    if (fetchSite != null && !fetchSite.equals("same-origin") && !fetchSite.equals("none")) {
      return false;
    }
    String origin = call.header("Origin");
    String host = call.header("Host");
    if (origin == null || host == null) {
      return true;
    }
    try {
      return host.equalsIgnoreCase(URI.create(origin).getRawAuthority());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  static void signIn(HttpCall call, String sessionId) {
    setCookie(call, SESSION, sessionId, true);
  }

  static void signOut(HttpCall call) {
    setCookie(call, SESSION, "", false);
  }

  private static void setCookie(HttpCall call, String name, String value, boolean keep) {
    call.addHeader("Set-Cookie", name + "=" + value + "; Path=" + WebUi.ROOT
        + "; HttpOnly; SameSite=Strict" + (overTls(call) ? "; Secure" : "") + (keep ? "" : "; Max-Age=0"));
  }

  /**
   * Whether the browser reached the page over TLS: this port's own, or a proxy's in front that says so. Believing
   * the proxy's header is safe from anyone: it can only add {@code Secure}, which keeps a cookie off plain HTTP.
   */
  private static boolean overTls(HttpCall call) {
    return call.isSecure() || "https".equalsIgnoreCase(call.header("X-Forwarded-Proto"));
  }

  /** The session's CSRF token: an HMAC keyed by its id, so it names that session only and reveals nothing of it. */
  private static String boundToken(String sessionId) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(sessionId.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(CSRF_PURPOSE));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has HmacSHA256", e);
    }
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
