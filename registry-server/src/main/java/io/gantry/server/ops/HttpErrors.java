package io.gantry.server.ops;

import io.gantry.server.config.ServerConfig;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The answers Jetty makes itself (a request too large, malformed, or arriving while the port shuts down) in the
 * shape of the port's own: framing headers, MLflow's JSON error under its API, a plain line elsewhere, and a reason
 * that names the setting to change.
 */
final class HttpErrors implements Request.Handler {

  private final HttpRouter router;
  private final ServerConfig.Http settings;

  HttpErrors(HttpRouter router, ServerConfig.Http settings) {
    this.router = router;
    this.settings = settings;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    int status = response.getStatus();
    HttpURI uri = request.getHttpURI();
    String path = uri == null || uri.getPath() == null ? "" : uri.getPath();
    HttpBoundary.Refusal refusal = new HttpBoundary.Refusal(status, errorCode(status),
        reason(status, (String) request.getAttribute(ErrorHandler.ERROR_MESSAGE)), router.answersJson(path));
    HttpRouter.framingHeaders(new JettyCall(request, response));
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, HttpRouter.contentType(refusal));
    byte[] body = HttpRouter.body(refusal);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    // without blocking: Jetty may call this on a thread that must not wait
    response.write(true, ByteBuffer.wrap(body), callback);
    return true;
  }

  private String reason(int status, String message) {
    return switch (status) {
      case HttpStatus.PAYLOAD_TOO_LARGE_413 -> "the request body is larger than " + settings.maxBodyBytes()
          + " bytes (GANTRY_HTTP_MAX_BODY_BYTES)";
      case HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431 -> "the request's headers are larger than "
          + settings.maxHeaderBytes() + " bytes (GANTRY_HTTP_MAX_HEADER_BYTES)";
      case HttpStatus.SERVICE_UNAVAILABLE_503 -> "this server is shutting down; retry, another replica answers";
      default -> message == null || message.isBlank() ? HttpStatus.getMessage(status) : message;
    };
  }

  private static String errorCode(int status) {
    return switch (status) {
      case HttpStatus.PAYLOAD_TOO_LARGE_413, HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431 -> "REQUEST_LIMIT_EXCEEDED";
      case HttpStatus.NOT_FOUND_404 -> "ENDPOINT_NOT_FOUND";
      case HttpStatus.SERVICE_UNAVAILABLE_503 -> "TEMPORARILY_UNAVAILABLE";
      default -> status >= 500 ? "INTERNAL_ERROR" : "BAD_REQUEST";
    };
  }
}
