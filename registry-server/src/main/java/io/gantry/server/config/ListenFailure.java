package io.gantry.server.config;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;

/**
 * A port that cannot be opened, said so that the operator knows what to do: the transports bury "address already in
 * use" in a cause, or say only "Failed to bind".
 */
public final class ListenFailure {

  private ListenFailure() {}

  /** @param setting the setting that chose the port, e.g. {@code GANTRY_GRPC_PORT} */
  public static ConfigException of(InetSocketAddress address, String setting, IOException failure) {
    String where = address.getHostString() + ":" + address.getPort();
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      // Netty's native transport says it in an IOException of its own, not a BindException
      if (cause instanceof BindException || String.valueOf(cause.getMessage()).contains("Address already in use")) {
        return new ConfigException("cannot listen on " + where + ": address already in use; another process "
            + "(another Gantry?) holds the port: stop it, or choose another port with " + setting, failure);
      }
    }
    return new ConfigException("cannot listen on " + where + " (" + setting + "): " + failure.getMessage(), failure);
  }
}
