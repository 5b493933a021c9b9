package io.gantry.client.cli;

import io.gantry.client.GantryClient;
import io.gantry.client.PolicyBindings;
import io.gantry.client.ResourceNames;
import io.gantry.policy.PolicyFile;
import io.gantry.policy.PolicyFileException;
import io.gantry.v1.GetPromotionPolicyRequest;
import io.gantry.v1.ListPromotionPoliciesRequest;
import io.gantry.v1.ListPromotionPoliciesResponse;
import io.gantry.v1.PromotionsGrpc.PromotionsBlockingStub;
import io.gantry.v1.SetPromotionPolicyRequest;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "policy",
    description = "The promotion policies bound to aliases: set them from a policy file (docs/policies.md), "
        + "read the set that gates one alias, list every binding.",
    subcommands = {PolicyCommand.SetPolicy.class, PolicyCommand.ShowPolicy.class, PolicyCommand.ListPolicies.class})
final class PolicyCommand extends CommandGroup {

  @Command(name = "set",
      description = "Send every binding of a policy file, in file order: each replaces the binding of the same "
          + "models, alias and purpose, or removes it (policies: []); bindings not in the file are kept. The "
          + "file is read first, so a malformed one sends nothing.")
  static final class SetPolicy implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Option(names = "--file", paramLabel = "FILE", required = true, description = "A policy file (YAML).")
    Path file;

    @Override
    public Integer call() {
      List<PolicyFile.Binding> bindings;
      List<PolicyFile.RoleGrant> roles;
      List<PolicyFile.WebhookSpec> webhooks;
      try {
        String text = AuditArguments.readFile(file, common);
        bindings = PolicyFile.parse(text, file.toString());
        roles = PolicyFile.parseRoles(text, file.toString());
        webhooks = PolicyFile.parseWebhooks(text, file.toString());
      } catch (PolicyFileException e) {
        throw common.usageError(e.getMessage());
      }
      if (!roles.isEmpty()) {
        common.err().println("note: the file's " + roles.size() + " role bindings are not sent; the server applies "
            + "them at start (GANTRY_POLICY_FILE), or grant them with gantry roles grant");
      }
      if (!webhooks.isEmpty()) {
        common.err().println("note: the file's " + webhooks.size() + " webhooks are not sent; the server applies "
            + "them at start (GANTRY_POLICY_FILE), or make them with gantry webhooks create");
      }
      ListPromotionPoliciesResponse.Builder applied = ListPromotionPoliciesResponse.newBuilder();
      try (GantryClient client = common.connect()) {
        PromotionsBlockingStub promotions = client.promotions();
        for (PolicyFile.Binding binding : bindings) {
          try {
            applied.addBindings(promotions.setPromotionPolicy(
                SetPromotionPolicyRequest.newBuilder().setBinding(PolicyBindings.toProto(binding)).build()));
          } catch (StatusRuntimeException refused) {
            // The server checks each binding as it is set; those before this one stay set.
            common.err().println("bindings[" + applied.getBindingsCount() + "] (models " + binding.modelPattern()
                + ", alias " + binding.alias() + ", purpose " + binding.purpose() + ") was not set; the "
                + applied.getBindingsCount() + " before it were");
            throw refused;
          }
        }
      }
      PolicyView.fileApplied(common.printer(), applied.build());
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "show",
      description = "Show the policies that gate one alias of a model: every binding whose pattern matches, most "
          + "specific first, each policy with its params, and the digest approvals are bound to.")
  static final class ShowPolicy implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(index = "0", paramLabel = "MODEL")
    String model;

    @Parameters(index = "1", paramLabel = "ALIAS")
    String alias;

    @Option(names = "--purpose", paramLabel = "PURPOSE", defaultValue = "promote",
        description = "promote (default), rollback (falls back to promote when it has no binding) or remove.")
    String purpose;

    @Override
    public Integer call() {
      try (GantryClient client = common.connect()) {
        PolicyView.effective(common.printer(),
            client.promotions().getPromotionPolicy(GetPromotionPolicyRequest.newBuilder()
                .setAlias(ResourceNames.alias(model, alias))
                .setPurpose(purpose)
                .build()));
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "list", description = "List every policy binding.")
  static final class ListPolicies implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Override
    public Integer call() {
      try (GantryClient client = common.connect()) {
        PolicyView.bindings(common.printer(),
            client.promotions().listPromotionPolicies(ListPromotionPoliciesRequest.getDefaultInstance()));
      }
      return GantryCli.EXIT_OK;
    }
  }
}
