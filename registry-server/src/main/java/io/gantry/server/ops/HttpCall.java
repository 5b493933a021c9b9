package io.gantry.server.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * One request to the HTTP port and its answer, as the routes see it: no HTTP server's types, so that the routes
 * (MLflow's REST API, the artifact proxy, the web page) do not depend on the server under them ({@link OpsHttpServer} runs them on Jetty).
 */
public interface HttpCall {

  String method();

  /** The path as sent, still percent-encoded. */
  String rawPath();

  /** The path percent-decoded. */
  String path();

  /** The query as sent, without {@code ?} and still encoded; null when there is none. */
  String rawQuery();

  /** {@code HTTP/1.0}, {@code HTTP/1.1} or {@code HTTP/2.0}. */
  String protocol();

  /** Every value the header was sent with, in order; empty when it was not sent. */
  List<String> headers(String name);

  /** The header's first value; null when it was not sent. */
  default String header(String name) {
    List<String> all = headers(name);
    return all.isEmpty() ? null : all.get(0);
  }

  /** The request body, read as it arrives (within the port's size limit). */
  InputStream body();

  /** The address and port the caller reached. */
  InetSocketAddress localAddress();

  /** Whether the request came over this port's own TLS. */
  boolean isSecure();

  void setHeader(String name, String value);

  void addHeader(String name, String value);

  /** Sends the whole answer; a HEAD request's goes without its body. */
  void respond(int status, byte[] body) throws IOException;

  /**
   * Begins an answer whose body is written as it comes (an artifact download); closing the stream ends it.
   *
   * @param length the body's length when known, else -1
   */
  OutputStream respondStreaming(int status, long length) throws IOException;
}
