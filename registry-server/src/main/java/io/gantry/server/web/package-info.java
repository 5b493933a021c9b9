/**
 * The web page for approvers and compliance reviewers, served under {@code /ui/} on the HTTP port.
 *
 * <p>Every page is HTML written on the server and every action a plain form, so the page needs no build step, fetches
 * nothing at run time and works without JavaScript (a small script only guards against double submits). The room
 * holds no rule of its own: {@link io.gantry.server.web.WebUi} calls the gRPC services in-process with the
 * credential the browser signed in with, so who may see or decide what, how input is checked and what is audited is
 * exactly what gRPC callers get, and a refusal is shown with the service's own words.
 *
 * <p>Safety rests on three things. All text reaches the page through {@code Html}, which escapes it. The credential
 * and a CSRF token live in {@code HttpOnly}, {@code SameSite=Strict} cookies; every form repeats the token and a post
 * without it changes nothing. A Content-Security-Policy allows only this site's own stylesheet and script.
 * docs/web.md describes the pages for their readers.
 */
package io.gantry.server.web;
