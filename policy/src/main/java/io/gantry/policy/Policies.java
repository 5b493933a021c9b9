package io.gantry.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * The entry point: the policy types on the class path, building configured policies, and evaluating a policy
 * set. Built-in types and third-party ones are found the same way, through {@link ServiceLoader}.
 *
 * <pre>{@code
 * Policies policies = Policies.discover();
 * Policy gate = policies.create("metric-threshold",
 *     Map.of("metric", "rmse", "dataset", "test", "op", "<=", "value", 5.6));  // checked here, once
 * List<Verdict> verdicts = Policies.evaluate(List.of(gate), input);          // per promotion
 * }</pre>
 *
 * <p>An instance is immutable and safe to share.
 */
public final class Policies {

  private final Map<String, PolicyFactory> factories;

  private Policies(Map<String, PolicyFactory> factories) {
    this.factories = Collections.unmodifiableMap(factories);
  }

  /** The factories visible to the thread's context class loader. */
  public static Policies discover() {
    return discover(Thread.currentThread().getContextClassLoader());
  }

  /**
   * The factories visible to {@code loader}.
   *
   * @throws IllegalStateException when two factories claim the same type, because a binding could not say which
   *     one it means
   */
  public static Policies discover(ClassLoader loader) {
    Map<String, PolicyFactory> byType = new TreeMap<>();
    for (PolicyFactory factory : ServiceLoader.load(PolicyFactory.class, loader)) {
      PolicyFactory previous = byType.putIfAbsent(factory.type(), factory);
      if (previous != null) {
        throw new IllegalStateException("policy type " + factory.type() + " is provided by both "
            + previous.getClass().getName() + " and " + factory.getClass().getName());
      }
    }
    return new Policies(byType);
  }

  /** The known policy types, sorted. */
  public Set<String> types() {
    return factories.keySet();
  }

  /**
   * Builds a configured policy; call it when a binding is set, so a mistake is refused then.
   *
   * @param params the binding's parameters; {@code null} means none
   * @throws PolicyConfigException for an unknown type, or an unknown, missing or ill-typed parameter, or any
   *     other failure of the factory
   */
  public Policy create(String type, Map<String, ?> params) {
    PolicyFactory factory = factories.get(type);
    if (factory == null) {
      throw new PolicyConfigException(type, null,
          "unknown policy type '" + type + "' (known types: " + String.join(", ", factories.keySet()) + ")");
    }
    Map<String, Object> copy = params == null ? Map.of() : new LinkedHashMap<>(params);
    Policy policy;
    try {
      policy = factory.create(Collections.unmodifiableMap(copy));
    } catch (PolicyConfigException e) {
      throw e;
    } catch (RuntimeException e) {
      // A plugin that validates with its own exceptions must still be refused at binding time, not crash it.
      throw new PolicyConfigException(type, null, "policy " + type + " cannot be created: " + e);
    }
    if (policy == null) {
      throw new PolicyConfigException(type, null, "policy " + type + " cannot be created: its factory returned null");
    }
    return policy;
  }

  /**
   * Evaluates every policy, in order, and returns one verdict per policy. Never throws for a policy's sake: a
   * policy that throws, or returns no verdict, gets a {@link Outcome#FAIL} verdict carrying the error, because a
   * broken gate must keep the alias where it is rather than crash the promotion.
   */
  public static List<Verdict> evaluate(List<? extends Policy> policies, PolicyInput input) {
    List<Verdict> verdicts = new ArrayList<>(policies.size());
    for (Policy policy : policies) {
      verdicts.add(evaluateOne(policy, input));
    }
    return List.copyOf(verdicts);
  }

  static Verdict evaluateOne(Policy policy, PolicyInput input) {
    try {
      Verdict verdict = policy.evaluate(input);
      if (verdict == null) {
        return Verdict.fail(policy.type(), "policy " + policy.type() + " returned no verdict", Map.of());
      }
      return verdict;
    } catch (RuntimeException e) {
      return Verdict.fail(policy.type(),
          "policy " + policy.type() + " failed with an error: " + e,
          Map.of("error", e.getClass().getName()));
    }
  }
}
