package io.gantry.client.cli;

import io.gantry.client.LoopbackHosts;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * Says once a process, on stderr, that a bearer token is about to leave this machine without TLS: anyone on the path
 * can read it and call the server as its owner. A token to this machine (loopback, a Unix socket) says nothing.
 */
final class CleartextTokenWarning {

  private boolean given;

  /** Warns on {@code err} unless already done: see {@link #warning}. */
  void warnOnce(String target, boolean tls, boolean sendsToken, PrintWriter err) {
    Optional<String> warning = warning(target, tls, sendsToken);
    if (warning.isPresent() && !given) {
      given = true;
      err.println(warning.get());
      err.flush();
    }
  }

  /** The warning for a call to the gRPC {@code target}, if a token goes there in clear. */
  static Optional<String> warning(String target, boolean tls, boolean sendsToken) {
    if (tls || !sendsToken || isThisMachine(target)) {
      return Optional.empty();
    }
    return Optional.of("warning: sending a bearer token without TLS to " + target + "; anyone on the path can "
        + "read it (use --tls or --ca-file)");
  }

  /**
   * Reads a target as gRPC does: a URI whose scheme has a resolver ({@code dns:///host:port}, {@code unix:path}),
   * else {@code host:port} with the host perhaps a bracketed IPv6 literal.
   */
  private static boolean isThisMachine(String target) {
    String authority = target;
    try {
      URI uri = new URI(target);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
      if (scheme.equals("unix") || scheme.equals("unix-abstract")) {
        return true;
      }
      if (scheme.equals("dns")) {
        authority = uri.getPath().replaceFirst("^/", "");
      }
    } catch (URISyntaxException notAUri) {
      // 10.0.0.5:9090 is no URI (a scheme starts with a letter): it is host:port
    }
    return LoopbackHosts.isLoopback(host(authority));
  }

  private static String host(String hostAndPort) {
    if (hostAndPort.startsWith("[")) {
      int end = hostAndPort.indexOf(']');
      return end < 0 ? hostAndPort : hostAndPort.substring(0, end + 1);
    }
    int colon = hostAndPort.indexOf(':');
    // more than one colon: an IPv6 literal without brackets or port
    return colon < 0 || hostAndPort.indexOf(':', colon + 1) >= 0 ? hostAndPort : hostAndPort.substring(0, colon);
  }
}
