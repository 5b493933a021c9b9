/**
 * The built-in policies. Each type has a public factory, whose javadoc documents the type's parameters, and a
 * package-private, immutable implementation:
 *
 * <table>
 *   <caption>Built-in policy types</caption>
 *   <tr><th>type</th><th>passes when</th></tr>
 *   <tr><td>{@code signature-required}</td><td>the candidate has an MLflow signature</td></tr>
 *   <tr><td>{@code signature-compatible}</td><td>it accepts every input the current holder accepts and produces
 *       the same outputs</td></tr>
 *   <tr><td>{@code metric-threshold}</td><td>a metric on a dataset satisfies a comparison</td></tr>
 *   <tr><td>{@code beats-current}</td><td>a metric improves on the current holder's by a margin</td></tr>
 *   <tr><td>{@code required-tags}</td><td>tags are present, optionally matching a regex</td></tr>
 *   <tr><td>{@code dependencies-pinned}</td><td>every Python requirement is pinned with {@code ==} and not
 *       denied</td></tr>
 *   <tr><td>{@code prior-alias}</td><td>it held another alias, such as {@code staging}, long enough</td></tr>
 *   <tr><td>{@code approvals}</td><td>enough distinct eligible principals approved (pending until then)</td></tr>
 *   <tr><td>{@code cel}</td><td>a CEL expression over {@code candidate}, {@code current} and {@code request}
 *       is true</td></tr>
 * </table>
 *
 * <p>Messages compare numbers as written ({@code 5.6}, never {@code 5.6000000000000005}). The {@code cel} policy
 * compiles its expression once, when the binding is set, and evaluates the compiled program for every
 * promotion.
 */
package io.gantry.policy.builtin;
