package io.gantry.policy;

import java.util.Optional;

/** A policy binding that cannot be used: an unknown type, or a parameter that is unknown, missing or wrong. */
public final class PolicyConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String type;
  private final String parameter;

  /**
   * @param type the policy type being configured
   * @param parameter the offending parameter, or {@code null} when the type itself is wrong
   * @param message what is wrong, naming the parameter
   */
  public PolicyConfigException(String type, String parameter, String message) {
    super(message);
    this.type = type;
    this.parameter = parameter;
  }

  /** The policy type being configured. */
  public String type() {
    return type;
  }

  /** The offending parameter, empty when the policy type itself is unknown. */
  public Optional<String> parameter() {
    return Optional.ofNullable(parameter);
  }
}
