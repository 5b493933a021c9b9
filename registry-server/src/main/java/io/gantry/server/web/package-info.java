/**
 * The web page for approvers and compliance reviewers, served under {@code /ui/} on the HTTP port.
 *
 * <p>Every page is HTML written on the server and every action a plain form, so the page needs no build step, fetches
 * nothing at run time and works without JavaScript (a small script only guards against double submits). The room
 * holds no rule of its own: {@link io.gantry.server.web.WebUi} calls the gRPC services in-process as the caller the
 * browser signed in as (a server-side session, {@link io.gantry.server.session}), so who may see or decide what, how
 * input is checked and what is audited is exactly what gRPC callers get, and a refusal is shown with the service's
 * own words.
 *
 * <p>Safety rests on three things. All text reaches the page through {@code Html}, which escapes it. The browser holds
 * only a session id, in an {@code HttpOnly}, {@code SameSite=Strict} cookie ({@code Secure} over TLS), never the
 * credential; every form repeats a CSRF token bound to that session, and a post without it changes nothing. A
 * Content-Security-Policy allows only this site's own stylesheet and script.
 * docs/web.md describes the pages for their readers.
 */
package io.gantry.server.web;
