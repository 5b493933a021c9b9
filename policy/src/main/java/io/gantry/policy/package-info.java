/**
 * The promotion policy SPI: what a gate sees, what it answers, and how gates are found and configured. Nothing
 * here touches gRPC, SQL or protobuf, so a verdict depends only on its inputs and those inputs can be recorded
 * next to it.
 *
 * <h2>The snapshot and the verdict</h2>
 *
 * <p>A {@link io.gantry.policy.PolicyInput} is an immutable snapshot taken by the registry when a promotion is
 * requested and again when it is applied: the {@link io.gantry.policy.Candidate candidate} version, the alias's
 * current holder if any, the {@link io.gantry.policy.PromotionRequest request}, the
 * {@link io.gantry.policy.Approval approvals} that still count, the model's
 * {@link io.gantry.policy.AliasSpan alias history}, and the instant of evaluation. Policies never read a clock
 * or a database of their own, so the same snapshot always yields the same {@link io.gantry.policy.Verdict}. A
 * verdict's message is written for the person who has to act on it: it names the metric with its threshold and
 * value, the signature column, or the requirement line that decided.
 *
 * <h2>Configuring and evaluating</h2>
 *
 * <p>{@link io.gantry.policy.Policies} discovers every {@link io.gantry.policy.PolicyFactory} with
 * {@link java.util.ServiceLoader}. Binding a policy to an alias calls
 * {@link io.gantry.policy.Policies#create Policies.create(type, params)}, which checks everything that can be
 * checked ahead of time (unknown types, unknown, missing or ill-typed parameters, regexes, CEL expressions) and
 * throws a {@link io.gantry.policy.PolicyConfigException} naming the parameter; the resulting
 * {@link io.gantry.policy.Policy} is immutable and is kept for every later promotion.
 * {@link io.gantry.policy.Policies#evaluate Policies.evaluate} runs a policy set and never throws on a policy's
 * behalf: a broken policy yields a failing verdict, so it holds the alias still rather than crashing the
 * promotion. {@link io.gantry.policy.PolicyRunner} does the same under a time limit per policy, on bounded threads
 * of its own, as the registry evaluates; the built-in {@code cel} policy also bounds its comprehension iterations
 * and evaluation steps, and tag patterns are RE2. {@link io.gantry.policy.Outcome#combine} folds the verdicts into
 * the promotion's outcome.
 *
 * <h2>The policy file</h2>
 *
 * <p>Bindings of policies to an alias on the models matching a pattern can be written in YAML; the server and
 * the CLI both read that file with {@link io.gantry.policy.PolicyFile}, which checks its structure and leaves
 * the policies' parameters to {@link io.gantry.policy.Policies#create Policies.create}.
 *
 * <h2>Writing a policy</h2>
 *
 * <p>Implement {@link io.gantry.policy.PolicyFactory} in a public class with a public no-argument constructor,
 * read its parameters through {@link io.gantry.policy.PolicyParams} (which refuses unknown ones), list the class
 * in {@code META-INF/services/io.gantry.policy.PolicyFactory}, and put the jar on the registry's class path. The
 * built-in policies in {@link io.gantry.policy.builtin} are found the same way.
 */
package io.gantry.policy;
