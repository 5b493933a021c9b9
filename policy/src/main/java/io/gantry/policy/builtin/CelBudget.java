package io.gantry.policy.builtin;

import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelExpr.CelComprehension;
import dev.cel.runtime.CelEvaluationListener;
import java.util.Optional;

/**
 * What one evaluation of a CEL expression may spend: comprehension iterations (enforced by CEL itself, through
 * {@code CelOptions.comprehensionMaxIterations}) and evaluation steps (every sub-expression evaluated, counted
 * by a listener). Four nested comprehensions over 80 elements are 41 million iterations and 32 s of one core;
 * these limits stop any expression within a few hundred milliseconds.
 *
 * <p>Where the cost is known from the expression alone, because its comprehensions range over list or map
 * literals, the worst case is computed when the policy is bound and an expression that can exceed a limit is
 * refused then. Ranges over the snapshot's data are not known until a promotion, so they count as empty here
 * and are cut off by the runtime limits instead.
 */
final class CelBudget {

  /** Comprehension iterations per evaluation, nested ones included. */
  static final int MAX_ITERATIONS = 25_000;
  /** Sub-expressions evaluated per evaluation. */
  static final long MAX_COST = 500_000;

  private CelBudget() {}

  /** The worst case of an expression whose comprehension ranges are literals; data-dependent ranges count as empty. */
  record Estimate(long iterations, long steps) {

    static final Estimate ONE_STEP = new Estimate(0, 1);

    Estimate plus(Estimate other) {
      return new Estimate(saturatedAdd(iterations, other.iterations), saturatedAdd(steps, other.steps));
    }

    Estimate times(long count) {
      return new Estimate(saturatedMultiply(iterations, count), saturatedMultiply(steps, count));
    }

    /** What exceeds a limit, as the end of a sentence; empty when the estimate is within both. */
    Optional<String> excess() {
      if (iterations > MAX_ITERATIONS) {
        return Optional.of("can take up to " + String.format("%,d", iterations) + " comprehension iterations over "
            + "its literal lists; the limit is " + String.format("%,d", MAX_ITERATIONS) + " per evaluation");
      }
      if (steps > MAX_COST) {
        return Optional.of("can take up to " + String.format("%,d", steps) + " evaluation steps; the limit is "
            + String.format("%,d", MAX_COST) + " per evaluation");
      }
      return Optional.empty();
    }
  }

  static Estimate estimate(CelExpr expr) {
    return switch (expr.getKind()) {
      case SELECT -> Estimate.ONE_STEP.plus(estimate(expr.select().operand()));
      case CALL -> {
        Estimate total = expr.call().target().map(CelBudget::estimate).orElse(Estimate.ONE_STEP);
        for (CelExpr arg : expr.call().args()) {
          total = total.plus(estimate(arg));
        }
        yield total;
      }
      case LIST -> expr.list().elements().stream().map(CelBudget::estimate)
          .reduce(Estimate.ONE_STEP, Estimate::plus);
      case MAP -> expr.map().entries().stream().map(e -> estimate(e.key()).plus(estimate(e.value())))
          .reduce(Estimate.ONE_STEP, Estimate::plus);
      case STRUCT -> expr.struct().entries().stream().map(e -> estimate(e.value()))
          .reduce(Estimate.ONE_STEP, Estimate::plus);
      case COMPREHENSION -> comprehension(expr.comprehension());
      default -> Estimate.ONE_STEP;
    };
  }

  private static Estimate comprehension(CelComprehension c) {
    long size = switch (c.iterRange().getKind()) {
      case LIST -> c.iterRange().list().elements().size();
      case MAP -> c.iterRange().map().entries().size();
      default -> 0;
    };
    Estimate perIteration = new Estimate(1, 0).plus(estimate(c.loopCondition())).plus(estimate(c.loopStep()));
    return Estimate.ONE_STEP.plus(estimate(c.iterRange())).plus(estimate(c.accuInit()))
        .plus(perIteration.times(size)).plus(estimate(c.result()));
  }

  /** Thrown by {@link StepCounter} to stop an evaluation that ran out of steps. */
  static final class CostExceeded extends RuntimeException {
    CostExceeded() {
      super("cost budget exceeded", null, false, false);
    }
  }

  /**
   * Counts every sub-expression the interpreter evaluates and stops it past {@link #MAX_COST}, or when its thread
   * is interrupted (the policy ran out of time), so a stopped evaluation frees its thread.
   */
  static final class StepCounter implements CelEvaluationListener {
    private long steps;

    @Override
    public void callback(CelExpr expr, Object result) {
      if (++steps > MAX_COST || Thread.currentThread().isInterrupted()) {
        throw new CostExceeded();
      }
    }
  }

  /** Whether an evaluation error is {@link StepCounter}'s stop, which the interpreter wraps. */
  static boolean ranOutOfSteps(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof CostExceeded) {
        return true;
      }
    }
    return false;
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }

  private static long saturatedMultiply(long a, long b) {
    return b != 0 && a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
  }
}
