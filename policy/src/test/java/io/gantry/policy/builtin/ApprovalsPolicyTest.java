package io.gantry.policy.builtin;

import static io.gantry.policy.Snapshots.NOW;
import static io.gantry.policy.Snapshots.request;
import static io.gantry.policy.Snapshots.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.policy.Approval;
import io.gantry.policy.Outcome;
import io.gantry.policy.Policies;
import io.gantry.policy.Policy;
import io.gantry.policy.PolicyInput;
import io.gantry.policy.Verdict;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Carol requests, Erin created the version; Alice, Bob and Dana are the approvers. */
class ApprovalsPolicyTest {

  private static final Policies POLICIES = Policies.discover();

  private final Policy twoOfThree = POLICIES.create("approvals",
      Map.of("count", 2, "approvers", List.of("alice", "bob", "dana")));

  private static Verdict evaluate(Policy policy, String... approvers) {
    List<Approval> approvals = Arrays.stream(approvers).map(name -> new Approval(name, NOW, "")).toList();
    return policy.evaluate(new PolicyInput(version(2).createdBy("erin").build(), Optional.empty(),
        request("champion"), approvals, List.of(), NOW));
  }

  @Test
  void pending_untilTheFirstApproval() {
    Verdict verdict = evaluate(twoOfThree);

    assertThat(verdict.outcome()).isEqualTo(Outcome.PENDING);
    assertThat(verdict.message()).isEqualTo("0 of 2 approvals; may approve: alice, bob, dana");
  }

  @Test
  void theRequestersOwnApprovalDoesNotCount() {
    Verdict verdict = evaluate(twoOfThree, "carol", "alice");

    assertThat(verdict.outcome()).isEqualTo(Outcome.PENDING);
    assertThat(verdict.message())
        .isEqualTo("1 of 2 approvals (alice); not counted: carol (the requester); may approve: alice, bob, dana");
  }

  @Test
  void theCreatorAndPrincipalsOutsideTheApproversDoNotCount_andRepeatsCountOnce() {
    Verdict verdict = evaluate(twoOfThree, "erin", "mallory", "bob", "bob");

    assertThat(verdict.outcome()).isEqualTo(Outcome.PENDING);
    assertThat(verdict.message()).isEqualTo("1 of 2 approvals (bob); not counted: erin (the creator of"
        + " nyc-taxi-duration/2), mallory (not an allowed approver); may approve: alice, bob, dana");
  }

  @Test
  void passes_withTwoDistinctApprovers() {
    Verdict verdict = evaluate(twoOfThree, "alice", "carol", "bob");

    assertThat(verdict).isEqualTo(Verdict.pass("approvals",
        "2 of 2 approvals (alice, bob); not counted: carol (the requester)",
        Map.of("required", 2, "counted", List.of("alice", "bob"), "ignored", Map.of("carol", "the requester"),
            "approvers", List.of("alice", "bob", "dana"))));
  }

  @Test
  void groupsAndRoles_countTheirMembers_butNeverTheRequesterOrTheCreator() {
    Policy riskOrApprovers = POLICIES.create("approvals",
        Map.of("count", 2, "approvers", List.of("group:risk", "role:approver")));
    List<Approval> approvals = List.of(
        new Approval("frank", NOW, "", java.util.Set.of("group:risk")),
        new Approval("carol", NOW, "", java.util.Set.of("group:risk", "role:approver")),
        new Approval("erin", NOW, "", java.util.Set.of("role:approver")),
        new Approval("viola", NOW, "", java.util.Set.of("group:viewers", "role:viewer")),
        new Approval("alice", NOW, "", java.util.Set.of("role:approver")));
    Verdict verdict = riskOrApprovers.evaluate(new PolicyInput(version(2).createdBy("erin").build(),
        Optional.empty(), request("champion"), approvals, List.of(), NOW));

    assertThat(verdict.outcome()).isEqualTo(Outcome.PASS);
    assertThat(verdict.message()).isEqualTo("2 of 2 approvals (frank, alice); not counted: carol (the requester), "
        + "erin (the creator of nyc-taxi-duration/2), viola (not an allowed approver)");
  }

  @Test
  void withoutAnApproverList_anyoneButTheRequesterAndCreatorCounts() {
    Policy one = POLICIES.create("approvals", Map.of("count", 1));

    assertThat(evaluate(one, "mallory").message()).isEqualTo("1 of 1 approval (mallory)");
  }

  @Test
  void acceptsAWholeCountWrittenAsADouble_asJsonThroughProtobufStructArrives() {
    Policy one = POLICIES.create("approvals", Map.of("count", 1.0));

    assertThat(evaluate(one, "alice").outcome()).isEqualTo(Outcome.PASS);
  }

  @Test
  void refusesABadCount_atCreation() {
    assertThatThrownBy(() -> POLICIES.create("approvals", Map.of("count", 0)))
        .hasMessage("policy approvals: parameter 'count' must be at least 1, got 0");
    assertThatThrownBy(() -> POLICIES.create("approvals", Map.of("count", 1.5)))
        .hasMessage("policy approvals: parameter 'count' must be a whole number, got double 1.5");
    assertThatThrownBy(() -> POLICIES.create("approvals", Map.of("count", 3, "approvers", List.of("alice", "bob"))))
        .hasMessage("policy approvals: parameter 'approvers' lists 2 principals, fewer than the 3 approvals required");
  }
}
