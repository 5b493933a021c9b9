package io.gantry.policy;

import java.util.Map;

/**
 * Creates configured policies of one type. Factories are found with {@link java.util.ServiceLoader}: list the
 * implementation's class name in {@code META-INF/services/io.gantry.policy.PolicyFactory} and put the jar on the
 * registry's class path. An implementation is a public class with a public no-argument constructor.
 */
public interface PolicyFactory {

  /** The type name bindings use, such as {@code metric-threshold}; unique among the discovered factories. */
  String type();

  /**
   * Validates {@code params} and creates the policy. Everything that can be checked without a promotion is
   * checked here (unknown, missing and ill-typed parameters, patterns, expressions), because this runs when a
   * binding is set and a mistake found at promotion time would block every promotion.
   *
   * @param params the binding's parameters, as read from YAML or JSON: strings, numbers, booleans, lists, maps
   * @throws PolicyConfigException naming the parameter that is wrong; {@link PolicyParams} builds these
   */
  Policy create(Map<String, Object> params);
}
