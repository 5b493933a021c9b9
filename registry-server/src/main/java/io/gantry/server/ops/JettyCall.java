package io.gantry.server.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;

/** An {@link HttpCall} on Jetty's core API, for a route that blocks on the thread Jetty gave it. */
final class JettyCall implements HttpCall {

  private final Request request;
  private final Response response;
  private InputStream body;

  JettyCall(Request request, Response response) {
    this.request = request;
    this.response = response;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String rawPath() {
    return request.getHttpURI().getPath();
  }

  @Override
  public String path() {
    return request.getHttpURI().getDecodedPath();
  }

  @Override
  public String rawQuery() {
    return request.getHttpURI().getQuery();
  }

  @Override
  public String protocol() {
    return request.getConnectionMetaData().getHttpVersion().asString();
  }

  /**
   * HTTP/2 names the host in {@code :authority}, which stands for {@code Host} (RFC 9113, 8.3.1); a {@code Host}
   * that names another comes along, so that the boundary refuses the pair.
   */
  @Override
  public List<String> headers(String name) {
    List<String> values = request.getHeaders().getValuesList(name);
    if (name.equalsIgnoreCase("Host") && request.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_2) {
      String authority = request.getHttpURI().getAuthority();
      if (authority != null && !authority.isEmpty()) {
        List<String> hosts = new ArrayList<>(List.of(authority));
        values.stream().filter(value -> !value.equalsIgnoreCase(authority)).forEach(hosts::add);
        return hosts;
      }
    }
    return values;
  }

  @Override
  public InputStream body() {
    if (body == null) {
      body = declaresNoBody() ? InputStream.nullInputStream() : Content.Source.asInputStream(request);
    }
    return body;
  }

  /**
   * A request with {@code Content-Length: 0}, or an HTTP/1 request with neither a length nor chunks (which has no body
   * by definition): nothing to read, so a GET skips the blocking read and its lock hand-offs on the hot path.
   */
  private boolean declaresNoBody() {
    long length = request.getLength();
    HttpVersion version = request.getConnectionMetaData().getHttpVersion();
    boolean http1 = version == HttpVersion.HTTP_1_1 || version == HttpVersion.HTTP_1_0;
    return length == 0 || length < 0 && http1 && !request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
  }

  @Override
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) request.getConnectionMetaData().getLocalSocketAddress();
  }

  @Override
  public boolean isSecure() {
    return request.isSecure();
  }

  @Override
  public void setHeader(String name, String value) {
    response.getHeaders().put(name, value);
  }

  @Override
  public void addHeader(String name, String value) {
    response.getHeaders().add(name, value);
  }

  @Override
  public void respond(int status, byte[] bytes) throws IOException {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    // one write, the last: Jetty sends headers and body together, and leaves out the body of a HEAD answer
    try (Blocker.Callback written = Blocker.callback()) {
      response.write(true, ByteBuffer.wrap(bytes), written);
      written.block();
    }
  }

  @Override
  public OutputStream respondStreaming(int status, long length) {
    response.setStatus(status);
    if (length >= 0) {
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
    }
    return Content.Sink.asOutputStream(response);
  }
}
