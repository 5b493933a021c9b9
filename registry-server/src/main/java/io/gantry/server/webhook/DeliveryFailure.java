package io.gantry.server.webhook;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * A failed delivery's last error as an operator reads it in {@code webhooks deliveries}: one sentence naming the
 * receiver's address and what went wrong. Java's HTTP client reports most failures as a bare
 * {@code ConnectException} whose cause alone tells them apart.
 */
final class DeliveryFailure {

  private DeliveryFailure() {}

  /** The receiver answered {@code status}; {@code bodyStart} is the first characters of its body. */
  static String answered(URI url, int status, String bodyStart) {
    String body = bodyStart.strip();
    return address(url) + " answered HTTP " + status + (body.isEmpty() ? "" : ": " + body);
  }

  /** Sending to {@code url} failed with {@code failure} before an answer came, within {@code timeout}. */
  static String notSent(URI url, IOException failure, Duration timeout) {
    String address = address(url);
    if (failure instanceof HttpConnectTimeoutException) {
      return "no connection to " + address + ("https".equalsIgnoreCase(url.getScheme()) ? ", TLS handshake included," : "")
          + " within " + timeout.toSeconds() + " s (GANTRY_WEBHOOK_TIMEOUT_SECONDS)";
    }
    if (failure instanceof HttpTimeoutException) {
      return address + " did not answer within " + timeout.toSeconds() + " s (GANTRY_WEBHOOK_TIMEOUT_SECONDS)";
    }
    Throwable root = rootCause(failure);
    if (root instanceof UnresolvedAddressException || root instanceof UnknownHostException) {
      return "cannot connect to " + address + ": the host name " + url.getHost() + " is not resolved";
    }
    if (failure instanceof SSLException || root instanceof SSLException) {
      return "the TLS handshake with " + address + " failed: " + message(root)
          + " (is the receiver serving https, with a certificate this server trusts?)";
    }
    if (failure instanceof ConnectException) {
      // the client reports a refused connection as a closed channel
      String reason = root instanceof ClosedChannelException || root.getMessage() == null
          ? "connection refused (is the receiver listening?)" : message(root);
      return "cannot connect to " + address + ": " + reason;
    }
    return "sending to " + address + " failed: " + message(root);
  }

  private static String address(URI url) {
    int port = url.getPort() != -1 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    return url.getHost() + ":" + port;
  }

  private static Throwable rootCause(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }

  private static String message(Throwable failure) {
    return failure.getMessage() == null ? failure.getClass().getSimpleName()
        : failure.getClass().getSimpleName() + ": " + failure.getMessage();
  }
}
