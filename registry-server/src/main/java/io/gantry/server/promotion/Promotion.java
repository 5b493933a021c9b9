package io.gantry.server.promotion;

import io.gantry.policy.Verdict;
import io.gantry.server.common.Names;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A request to point an alias at a version, or to remove it, with the verdicts of its latest evaluation and
 * every approver's decision.
 *
 * @param version the version to point at; empty for a removal
 * @param currentVersion the alias's holder when the request was made
 * @param aliasRevision the alias's revision when the request was made; the move compares-and-sets on it
 * @param policySetDigest the digest of the policy set of the latest evaluation
 * @param contentDigest the candidate's content digest at the latest evaluation
 * @param dryRun true for the answer of a dry run, which is not stored and has no id
 */
public record Promotion(
    UUID id,
    String modelId,
    String alias,
    Optional<Integer> version,
    Kind kind,
    State state,
    String stateReason,
    String requester,
    String justification,
    Optional<Integer> expectedCurrentVersion,
    boolean archivePrevious,
    Optional<Integer> currentVersion,
    long aliasRevision,
    List<Verdict> verdicts,
    String policySetDigest,
    String contentDigest,
    List<Decision> decisions,
    OffsetDateTime createTime,
    OffsetDateTime updateTime,
    OffsetDateTime expireTime,
    boolean dryRun) {

  /** What the promotion asks for. */
  public enum Kind { MOVE, ROLLBACK, REMOVE }

  /** Where the promotion stands; every state but AWAITING_APPROVAL is final. */
  public enum State { REJECTED, AWAITING_APPROVAL, APPLIED, CANCELLED, EXPIRED, SUPERSEDED }

  /**
   * An approver's decision. An approval is bound to the version content and the policy set it was given
   * under.
   */
  public record Decision(String principal, boolean approved, String comment, OffsetDateTime time,
      String contentDigest, String policySetDigest, Set<String> memberships) {

    /** Whether this approval counts for a promotion whose candidate and policy set have these digests. */
    public boolean countsFor(String candidateDigest, String currentPolicySetDigest) {
      return approved && contentDigest.equals(candidateDigest) && policySetDigest.equals(currentPolicySetDigest);
    }
  }

  /** {@code promotions/{uuid}}; empty for a dry run. */
  public String name() {
    return dryRun ? "" : Names.promotionName(id);
  }

  public String aliasName() {
    return Names.aliasName(modelId, alias);
  }

  /** "version 3", or "no version" for an alias with no holder. */
  static String describe(Optional<Integer> version) {
    return version.map(v -> "version " + v).orElse("no version");
  }

  /** The bindings that gate a kind of move. */
  public static Purpose purposeOf(Kind kind) {
    return switch (kind) {
      case MOVE -> Purpose.PROMOTE;
      case ROLLBACK -> Purpose.ROLLBACK;
      case REMOVE -> Purpose.REMOVE;
    };
  }
}
