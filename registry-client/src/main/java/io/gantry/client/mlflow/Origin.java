package io.gantry.client.mlflow;

import io.gantry.client.LoopbackHosts;
import java.net.URI;
import java.util.Locale;

/**
 * Where an HTTP request goes, compared as browsers compare origins: scheme, host and port, lower-cased, with the
 * scheme's default port when none is written. A URL with user information before its host
 * ({@code https://good.example@evil.example}) has no origin here: it is refused rather than read either way.
 */
record Origin(String scheme, String host, int port) {

  /** @throws IllegalArgumentException naming what is wrong with {@code url} */
  static Origin of(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(url + " is not an http:// or https:// URL");
    }
    if (url.getRawUserInfo() != null) {
      throw new IllegalArgumentException(url + " carries user information before its host (…@); name the host "
          + "alone");
    }
    if (url.getHost() == null) {
      throw new IllegalArgumentException(url + " names no host that can be read (letters, digits, dots and "
          + "hyphens, or an IP address)");
    }
    int port = url.getPort() != -1 ? url.getPort() : scheme.equals("https") ? 443 : 80;
    return new Origin(scheme, url.getHost().toLowerCase(Locale.ROOT), port);
  }

  boolean isLoopback() {
    return LoopbackHosts.isLoopback(host);
  }

  @Override
  public String toString() {
    return scheme + "://" + host + ":" + port;
  }
}
