package io.gantry.server.web;

import com.nimbusds.jwt.JWTParser;
import io.gantry.server.error.Incidents;
import io.gantry.server.ops.HttpCall;
import io.gantry.server.ops.HttpRoute;
import io.gantry.server.session.WebSessions;
import io.gantry.v1.Caller;
import io.gantry.v1.GetCallerRequest;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web page for approvers and compliance reviewers, under {@value #ROOT} on the HTTP port: server-rendered HTML
 * that reads and acts only through the gRPC services, in-process and as the signed-in browser's caller (its
 * server-side session, {@link WebSessions}), so a page can do exactly what that caller could do over gRPC, refused and
 * audited the same way. Pages are plain forms and links; they work without JavaScript. docs/web.md describes each
 * page.
 */
public final class WebUi implements HttpRoute {

  public static final String ROOT = "/ui/";
  private static final Logger log = LoggerFactory.getLogger(WebUi.class);
  /** Nothing but this site's own stylesheet and script: no inline script, no other origin, no framing. */
  private static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'self'; script-src 'self'; "
      + "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
  private static final Map<String, String> STATIC = Map.of(
      "static/gantry.css", "text/css; charset=utf-8",
      "static/gantry.js", "text/javascript; charset=utf-8");

  private final Channel channel;
  private final boolean headerIdentity;
  private final WebSessions sessions;
  private final ModelPages models = new ModelPages();
  private final PromotionPages promotions = new PromotionPages();
  private final AuditPages audit = new AuditPages();

  /**
   * @param channel an in-process channel to this server's gRPC services
   * @param headerIdentity the loopback default: signing in names the caller, as {@code x-gantry-user} does; otherwise
   *     signing in takes a credential the server verifies (a JWT or an API token)
   * @param sessions where sign-in keeps who signed in, and Sign out ends it
   */
  public WebUi(Channel channel, boolean headerIdentity, WebSessions sessions) {
    this.channel = channel;
    this.headerIdentity = headerIdentity;
    this.sessions = sessions;
  }

  @Override
  public void handle(HttpCall call) throws IOException {
    String path = call.path();
    String route = path.startsWith(ROOT) ? path.substring(ROOT.length()) : "";
    if (STATIC.containsKey(route)) {
      serveStatic(call, route);
      return;
    }
    WebRequest request = new WebRequest(call, channel, headerIdentity);
    String method = call.method();
    // before any check, so that even a refusal's page carries a token its browser holds
    request.session.issueCsrfCookie(call);
    try {
      if (method.equals("POST")) {
        if (!request.session.sameSitePost(call, request.field(WebSession.CSRF_FIELD))) {
          throw new WebError(403, "This form did not come from a Gantry page (its CSRF token is missing or does "
              + "not match): nothing was done. Reload the page and try again.");
        }
        post(request, route);
      } else if (method.equals("GET") || method.equals("HEAD")) {
        get(request, route);
      } else {
        throw new WebError(405, method + " is not used here");
      }
    } catch (StatusRuntimeException e) {
      error(request, httpStatus(e.getStatus().getCode()), e.getStatus().getCode() + ": "
          + e.getStatus().getDescription());
    } catch (WebError e) {
      error(request, e.status, e.getMessage());
    } catch (RuntimeException e) {
      error(request, 500, Incidents.record(log, "web page " + method + " " + path, e));
    }
  }

  private void get(WebRequest request, String route) throws IOException {
    List<String> parts = List.of(route.split("/", -1));
    switch (parts.get(0)) {
      case "" -> redirect(request.call, ROOT + "promotions");
      case "signin" -> respond(request.call, 200, signInPage(request, ""));
      case "models" -> {
        if (parts.size() == 1) {
          respond(request.call, 200, models.list(request));
        } else if (parts.size() == 2) {
          respond(request.call, 200, models.model(request, parts.get(1)));
        } else if (parts.size() == 4 && parts.get(2).equals("versions")) {
          respond(request.call, 200, models.version(request, parts.get(1), version(parts.get(3))));
        } else {
          throw notFound(route);
        }
      }
      case "promotions" -> {
        if (parts.size() == 1) {
          respond(request.call, 200, promotions.queue(request));
        } else if (parts.size() == 2) {
          respond(request.call, 200, promotions.promotion(request, parts.get(1), null, ""));
        } else {
          throw notFound(route);
        }
      }
      case "audit" -> {
        if (parts.size() != 1) {
          throw notFound(route);
        }
        respond(request.call, 200, audit.trail(request, null));
      }
      default -> throw notFound(route);
    }
  }

  private void post(WebRequest request, String route) throws IOException {
    List<String> parts = List.of(route.split("/", -1));
    if (route.equals("signin")) {
      signIn(request);
    } else if (route.equals("signout")) {
      request.session.id().ifPresent(sessions::end);
      WebSession.signOut(request.call);
      redirect(request.call, ROOT + "signin");
    } else if (route.equals("audit/verify")) {
      respond(request.call, 200, audit.trail(request, audit.verify(request)));
    } else if (parts.size() == 3 && parts.get(0).equals("promotions")
        && (parts.get(2).equals("approve") || parts.get(2).equals("reject"))) {
      String id = parts.get(1);
      try {
        promotions.decide(request, id, parts.get(2).equals("approve"));
      } catch (StatusRuntimeException refused) {
        // the promotion's page again, with the server's reason as it gave it
        respond(request.call, httpStatus(refused.getStatus().getCode()), promotions.promotion(request, id,
            refused.getStatus().getCode() + ": " + refused.getStatus().getDescription(), request.field("comment")));
        return;
      }
      redirect(request.call, ROOT + "promotions/" + Html.url(id) + "?decided=" + parts.get(2));
    } else {
      throw notFound(route);
    }
  }

  private String signInPage(WebRequest request, String problem) {
    return Layout.page(request, "Sign in", html -> {
      if (!problem.isEmpty()) {
        Layout.notice(html, "error", problem);
      }
      if (headerIdentity) {
        html.element("p", "This server runs on its loopback default: it trusts the name you give, as it trusts the "
            + "x-gantry-user header of gRPC calls. Every action is recorded under that name.");
      } else {
        html.element("p", "Paste a token this server accepts (a JWT from your identity provider, or an API token). "
            + "The server checks it once and keeps who it names in a session; your browser keeps only the session's "
            + "id, which Sign out ends.");
      }
      Layout.form(html, request, ROOT + "signin", form -> {
        String id = headerIdentity ? "user" : "token";
        form.element("label", headerIdentity ? "User name" : "Token", "for", id)
            .open("input", "id", id, "name", "credential", "type", headerIdentity ? "text" : "password",
                "autocomplete", headerIdentity ? "username" : "off", "required", "")
            .element("button", "Sign in", "type", "submit");
      });
    });
  }

  /**
   * Begins a session once the services accept the credential, for whom they say it names; the credential itself is
   * kept nowhere. A typo is told at once rather than on the next page.
   */
  private void signIn(WebRequest request) throws IOException {
    String credential = request.field("credential").strip();
    if (!WebSession.credentialSafe(credential)) {
      respond(request.call, 400, signInPage(request, headerIdentity
          ? "A user name is letters, digits and . _ @ + - (at most 256 characters)."
          : "That is not a token: a JWT or an API token is letters, digits and . _ ~ + / = -."));
      return;
    }
    Caller caller;
    try {
      caller = request.accessAs(credential).getCaller(GetCallerRequest.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      respond(request.call, httpStatus(e.getStatus().getCode()), signInPage(request,
          e.getStatus().getCode() + ": " + e.getStatus().getDescription()));
      return;
    }
    log.info("web page: {} signed in ({})", caller.getPrincipal(), caller.getAuthenticatedBy());
    request.session.id().ifPresent(sessions::end);
    String session = sessions.begin(new WebSessions.Session(caller.getPrincipal(), Set.copyOf(caller.getGroupsList()),
        caller.getAuthenticatedBy(), caller.getApiToken().isEmpty() ? Optional.empty()
            : Optional.of(UUID.fromString(caller.getApiToken().substring("apiTokens/".length())))),
        caller.getAuthenticatedBy().equals("jwt") ? jwtExpiry(credential) : Optional.empty());
    WebSession.signIn(request.call, session);
    redirect(request.call, ROOT + "promotions");
  }

  /** The {@code exp} of a JWT the services have just accepted: a session begun with it ends by then. */
  private static Optional<Instant> jwtExpiry(String jwt) {
    try {
      return Optional.ofNullable(JWTParser.parse(jwt).getJWTClaimsSet().getExpirationTime()).map(Date::toInstant);
    } catch (ParseException e) {
      throw new IllegalStateException("a JWT the server accepted cannot be parsed", e);
    }
  }

  private void error(WebRequest request, int status, String message) throws IOException {
    respond(request.call, status, Layout.page(request, status == 401 ? "Sign-in needed" : "Refused", html -> {
      Layout.notice(html, "error", message);
      if (status == 401) {
        html.open("p").link(ROOT + "signin", "Sign in").text(" to see this page.").close("p");
      }
    }));
  }

  private static long version(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new WebError(404, "no version '" + text + "': versions are numbers");
    }
  }

  private static WebError notFound(String route) {
    return new WebError(404, "no page " + ROOT + route);
  }

  /** The HTTP status a browser is answered with for a service's refusal. */
  private static int httpStatus(Status.Code code) {
    return switch (code) {
      case INVALID_ARGUMENT, OUT_OF_RANGE -> 400;
      case UNAUTHENTICATED -> 401;
      case PERMISSION_DENIED -> 403;
      case NOT_FOUND -> 404;
      case ALREADY_EXISTS, ABORTED, FAILED_PRECONDITION -> 409;
      case RESOURCE_EXHAUSTED -> 429;
      case UNAVAILABLE -> 503;
      case DEADLINE_EXCEEDED -> 504;
      default -> 500;
    };
  }

  private static void respond(HttpCall call, int status, String page) throws IOException {
    call.setHeader("Content-Type", "text/html; charset=utf-8");
    securityHeaders(call);
    call.respond(status, page.getBytes(StandardCharsets.UTF_8));
  }

  /** After a form post, the page to show next (303: the browser GETs it, and a reload does not post again). */
  private static void redirect(HttpCall call, String location) throws IOException {
    call.setHeader("Location", location);
    securityHeaders(call);
    call.respond(303, new byte[0]);
  }

  private static void securityHeaders(HttpCall call) {
    call.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    call.setHeader("X-Content-Type-Options", "nosniff");
    call.setHeader("Referrer-Policy", "same-origin");
    call.setHeader("Cache-Control", "no-store");
  }

  private static void serveStatic(HttpCall call, String route) throws IOException {
    byte[] bytes;
    try (InputStream in = WebUi.class.getResourceAsStream("/web/" + route.substring("static/".length()))) {
      bytes = in.readAllBytes();
    }
    call.setHeader("Content-Type", STATIC.get(route));
    call.setHeader("X-Content-Type-Options", "nosniff");
    call.setHeader("Cache-Control", "max-age=3600");
    call.respond(200, bytes);
  }
}
