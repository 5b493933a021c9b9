/**
 * Web sessions: what a browser holds once it has signed in to the web page.
 *
 * <p>Sign-in verifies a credential once, through the same gRPC checks as every call, and {@link
 * io.gantry.server.session.WebSessions} records who it proved the caller to be under a random 256-bit session id.
 * The browser's cookie holds that id; PostgreSQL holds only its SHA-256, the principal, the groups, how the caller
 * was proven and the API token used, if any. Every replica on the database therefore knows every session, and
 * ending one (Sign out, expiry) ends it everywhere at once. The page's in-process gRPC calls name their session in a
 * header that only the in-process transport accepts ({@link io.gantry.server.auth.WebSessionInterceptor}), so the
 * credential itself never travels in a cookie. docs/decisions.md says why.
 */
package io.gantry.server.session;
