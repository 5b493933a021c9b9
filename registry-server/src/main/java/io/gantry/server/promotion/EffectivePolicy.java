package io.gantry.server.promotion;

import io.gantry.policy.Policy;
import java.util.List;

/**
 * What gates one move of one model's alias: every binding whose pattern matches the model, most specific
 * first, and their policies in that order.
 *
 * @param purpose the purpose whose bindings apply (a rollback with no rollback binding uses promote's)
 * @param policies the configured policies, in evaluation order
 * @param digest SHA-256 (hex) over the bindings' digests in order; approvals are bound to it
 */
public record EffectivePolicy(String alias, Purpose purpose, List<PolicyBinding> bindings, List<Policy> policies,
    String digest) {}
