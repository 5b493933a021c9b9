package io.gantry.server.promotion;

import io.gantry.policy.PolicyFile.PolicySpec;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * Policies bound to an alias on every model whose name matches a glob, as stored.
 *
 * @param digest SHA-256 (hex) of the binding's canonical JSON; approvals are bound to the digests of the set
 */
public record PolicyBinding(
    String modelPattern,
    String alias,
    Purpose purpose,
    List<PolicySpec> policies,
    String digest,
    OffsetDateTime updateTime,
    String updatedBy) {

  /** How audit events name a binding. */
  public String resource() {
    return resource(modelPattern, alias, purpose);
  }

  static String resource(String modelPattern, String alias, Purpose purpose) {
    return "policy-bindings/" + purpose.wireName() + "/" + alias + "/" + modelPattern;
  }
}
