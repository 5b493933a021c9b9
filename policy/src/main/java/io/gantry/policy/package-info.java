/**
 * The promotion policy SPI: the immutable snapshot a policy sees (candidate, current holder,
 * request, approvals, clock) and the verdict it returns, plus the built-in policies. Nothing here
 * touches gRPC or SQL, so a verdict is deterministic and its inputs can be recorded.
 *
 * <p>The registry core (models and versions) does not evaluate policies yet; gated promotion
 * fills this package.
 */
package io.gantry.policy;
