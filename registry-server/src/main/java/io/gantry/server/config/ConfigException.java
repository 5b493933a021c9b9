package io.gantry.server.config;

/** A setting the server cannot start with; the message is the one line an operator sees. */
public class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
