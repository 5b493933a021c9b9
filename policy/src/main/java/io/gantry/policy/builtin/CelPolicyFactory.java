package io.gantry.policy.builtin;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import io.gantry.policy.Policy;
import io.gantry.policy.PolicyFactory;
import io.gantry.policy.PolicyParams;
import java.util.Map;

/**
 * {@code cel}: a <a href="https://cel.dev">CEL</a> expression over the snapshot must be true.
 *
 * <ul>
 *   <li>{@code expression} (string, required): a bool expression over {@code candidate}, {@code current} and
 *       {@code request}, for example {@code candidate.metrics.test.rmse < 5.6 && has(candidate.tags.owner)}
 *   <li>{@code message} (string, optional): the verdict's message when the expression is false; by default it
 *       quotes the expression
 * </ul>
 *
 * <p>The expression is parsed, type-checked and planned here, once; an expression that does not compile or is
 * not of type bool is a configuration error. An error while evaluating (a missing map key, a division by zero)
 * is a failing verdict carrying the error. The variables are described in {@link CelVariables}.
 *
 * <p>Every evaluation runs within {@link CelBudget}'s limits; an expression whose worst case over its literal
 * lists exceeds them is refused here, and one that exceeds them on a promotion's data fails its verdict.
 */
public final class CelPolicyFactory implements PolicyFactory {

  private static final CelType OBJECT = MapType.create(SimpleType.STRING, SimpleType.DYN);

  // One environment for every expression: building it is the expensive part, and it is immutable.
  private static final Cel CEL = CelFactory.standardCelBuilder()
      .setOptions(CelOptions.current().comprehensionMaxIterations(CelBudget.MAX_ITERATIONS).build())
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addVar(CelVariables.CANDIDATE, OBJECT)
      // dyn rather than a map, so that "current == null" type-checks when no version holds the alias.
      .addVar(CelVariables.CURRENT, SimpleType.DYN)
      .addVar(CelVariables.REQUEST, OBJECT)
      .build();

  @Override
  public String type() {
    return CelPolicy.TYPE;
  }

  @Override
  public Policy create(Map<String, Object> params) {
    PolicyParams p = PolicyParams.of(type(), params);
    String expression = p.string("expression");
    String message = p.optionalString("message").orElse("CEL expression is false: " + expression);
    p.rejectUnknown();
    CelAbstractSyntaxTree ast;
    try {
      ast = CEL.compile(expression).getAst();
    } catch (CelValidationException e) {
      throw p.invalid("expression", "does not compile: " + e.getMessage());
    }
    CelType resultType = ast.getResultType();
    if (!resultType.equals(SimpleType.BOOL) && !resultType.equals(SimpleType.DYN)) {
      throw p.invalid("expression", "must be a bool expression, but it is of type " + resultType.name()
          + ": " + expression);
    }
    CelBudget.estimate(ast.getExpr()).excess().ifPresent(excess -> {
      throw p.invalid("expression", excess);
    });
    CelRuntime.Program program;
    try {
      program = CEL.createProgram(ast);
    } catch (CelEvaluationException e) {
      throw p.invalid("expression", "cannot be planned: " + e.getMessage());
    }
    return new CelPolicy(expression, message, program);
  }
}
