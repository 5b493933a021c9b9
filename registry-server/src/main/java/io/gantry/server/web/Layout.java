package io.gantry.server.web;

import io.gantry.v1.Caller;
import io.gantry.v1.GetCallerRequest;
import io.grpc.StatusRuntimeException;
import java.util.Optional;
import java.util.function.Consumer;

/** What every page shares: the document head, the navigation, who is signed in, and the sign-out form. */
final class Layout {

  private Layout() {}

  static String page(WebRequest request, String title, Consumer<Html> body) {
    Html html = new Html();
    html.raw("<!DOCTYPE html>").open("html", "lang", "en").open("head")
        .open("meta", "charset", "utf-8")
        .open("meta", "name", "viewport", "content", "width=device-width, initial-scale=1")
        .element("title", title + " · Gantry")
        .open("link", "rel", "stylesheet", "href", WebUi.ROOT + "static/gantry.css")
        .open("script", "src", WebUi.ROOT + "static/gantry.js", "defer", "").close("script")
        .close("head").open("body");
    html.open("header").open("nav", "aria-label", "Main")
        .element("a", "Gantry", "href", WebUi.ROOT, "class", "brand")
        .link(WebUi.ROOT + "promotions", "Promotions")
        .link(WebUi.ROOT + "models", "Models")
        .link(WebUi.ROOT + "audit", "Audit")
        .close("nav");
    signedIn(html, request);
    html.close("header").open("main").element("h1", title);
    body.accept(html);
    return html.close("main").close("body").close("html").toString();
  }

  /** A form that posts to this site with the CSRF token; {@code fields} writes its inputs and buttons. */
  static void form(Html html, WebRequest request, String action, Consumer<Html> fields) {
    html.open("form", "method", "post", "action", action)
        .open("input", "type", "hidden", "name", WebSession.CSRF_FIELD, "value", request.session.csrfToken());
    fields.accept(html);
    html.close("form");
  }

  /** A notice the page shows above its content: {@code role=alert} for refusals, {@code status} otherwise. */
  static void notice(Html html, String kind, String text) {
    html.element("p", text, "class", "notice " + kind, "role", kind.equals("error") ? "alert" : "status");
  }

  private static void signedIn(Html html, WebRequest request) {
    Optional<Caller> caller = Optional.empty();
    if (request.session.id().isPresent() || request.headerIdentity) {
      try {
        caller = Optional.of(request.access().getCaller(GetCallerRequest.getDefaultInstance()));
      } catch (StatusRuntimeException e) {
        // an ended session, or a revoked credential: the page offers to sign in again
      }
    }
    html.open("div", "class", "identity");
    if (caller.isPresent() && request.session.id().isPresent()) {
      html.text("Signed in as ").element("strong", caller.get().getPrincipal(), "id", "principal")
          .text(" (" + caller.get().getAuthenticatedBy() + ") ");
      form(html, request, WebUi.ROOT + "signout", f -> f.element("button", "Sign out", "type", "submit"));
    } else {
      html.text(caller.map(c -> "Not signed in: calls go as " + c.getPrincipal() + ". ").orElse("Not signed in. "))
          .link(WebUi.ROOT + "signin", "Sign in");
    }
    html.close("div");
  }
}
