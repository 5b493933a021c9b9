package io.gantry.policy.builtin;

import dev.cel.common.CelErrorCode;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import io.gantry.policy.Policy;
import io.gantry.policy.PolicyInput;
import io.gantry.policy.Verdict;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Passes when a compiled CEL expression evaluates to {@code true} over the snapshot.
 *
 * @param program compiled once, by the factory; programs are immutable and safe to share
 */
record CelPolicy(String expression, String failureMessage, CelRuntime.Program program) implements Policy {

  static final String TYPE = "cel";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Verdict evaluate(PolicyInput input) {
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("expression", expression);
    Object result;
    try {
      result = program.trace(CelVariables.of(input), new CelBudget.StepCounter());
    } catch (CelEvaluationException e) {
      if (CelBudget.ranOutOfSteps(e)) {
        return overBudget(facts, "cost", "at most " + String.format("%,d", CelBudget.MAX_COST)
            + " evaluation steps per evaluation");
      }
      if (e.getErrorCode() == CelErrorCode.ITERATION_BUDGET_EXCEEDED) {
        return overBudget(facts, "iterations", "at most " + String.format("%,d", CelBudget.MAX_ITERATIONS)
            + " comprehension iterations per evaluation");
      }
      facts.put("error", e.getMessage());
      return Verdict.fail(TYPE, "CEL expression " + expression + " failed: " + e.getMessage(), facts);
    }
    if (!(result instanceof Boolean holds)) {
      // Only possible when the expression's type is dyn; a statically non-bool one is refused at creation.
      facts.put("result", String.valueOf(result));
      return Verdict.fail(TYPE, "CEL expression " + expression + " returned " + result + ", not a bool", facts);
    }
    facts.put("result", holds);
    if (holds) {
      return Verdict.pass(TYPE, "CEL expression holds: " + expression, facts);
    }
    return Verdict.fail(TYPE, failureMessage, facts);
  }

  private Verdict overBudget(Map<String, Object> facts, String budget, String limit) {
    facts.put("budget", budget);
    return Verdict.fail(TYPE, "CEL expression " + expression + " exceeded its " + (budget.equals("cost") ? "cost"
        : "iteration") + " budget: " + limit, facts);
  }
}
