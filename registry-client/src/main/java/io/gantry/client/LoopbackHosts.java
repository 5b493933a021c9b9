package io.gantry.client;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Whether a host is this machine, decided from its spelling alone: a DNS answer could change between the check and
 * the connection, so a name other than {@code localhost} never counts, even one that resolves to 127.0.0.1.
 */
public final class LoopbackHosts {

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private LoopbackHosts() {}

  /** True for {@code localhost} and loopback IP literals (127.0.0.0/8, {@code ::1}, bracketed or not). */
  public static boolean isLoopback(String host) {
    String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (name.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (!IPV4.matcher(name).matches() && !name.contains(":")) {
      return false;
    }
    try {
      // an IP literal is parsed, never looked up
      return InetAddress.getByName(name).isLoopbackAddress();
    } catch (UnknownHostException notALiteral) {
      return false;
    }
  }
}
