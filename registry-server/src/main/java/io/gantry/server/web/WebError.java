package io.gantry.server.web;

/** A request the page refuses before any service is called, with the HTTP status to answer. */
final class WebError extends RuntimeException {

  final int status;

  WebError(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }
}
