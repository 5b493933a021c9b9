package io.gantry.server.access;

import io.gantry.server.api.Rpc;
import io.gantry.server.auth.Caller;
import io.gantry.server.error.GantryException;
import io.gantry.v1.ApiToken;
import java.util.List;

/** Role bindings, API tokens and callers as gantry.v1 messages. */
public final class AccessMessages {

  private AccessMessages() {}

  public static io.gantry.v1.RoleBinding toProto(RoleBinding binding) {
    return io.gantry.v1.RoleBinding.newBuilder()
        .setName(binding.name())
        .setSubject(binding.subject())
        .setRole(io.gantry.v1.Role.valueOf("ROLE_" + binding.role().name()))
        .setModelPattern(binding.modelPattern())
        .addAllAliases(binding.aliases())
        .setCreateTime(Rpc.timestamp(binding.createTime()))
        .setCreatedBy(binding.createdBy())
        .setFromConfiguration(binding.fromConfiguration())
        .build();
  }

  public static Role role(String field, io.gantry.v1.Role role) {
    return switch (role) {
      case ROLE_VIEWER -> Role.VIEWER;
      case ROLE_PUBLISHER -> Role.PUBLISHER;
      case ROLE_APPROVER -> Role.APPROVER;
      case ROLE_AUDITOR -> Role.AUDITOR;
      case ROLE_ADMIN -> Role.ADMIN;
      case ROLE_UNSPECIFIED, UNRECOGNIZED -> throw GantryException.invalid(field,
          "is required: one of ROLE_VIEWER, ROLE_PUBLISHER, ROLE_APPROVER, ROLE_AUDITOR, ROLE_ADMIN");
    };
  }

  public static ApiToken toProto(io.gantry.server.access.ApiToken token) {
    ApiToken.Builder proto = ApiToken.newBuilder()
        .setName(token.name())
        .setPrincipal(token.principal())
        .setDescription(token.description())
        .setCreateTime(Rpc.timestamp(token.createTime()))
        .setCreatedBy(token.createdBy());
    token.expireTime().ifPresent(t -> proto.setExpireTime(Rpc.timestamp(t)));
    token.revokeTime().ifPresent(t -> proto.setRevokeTime(Rpc.timestamp(t)));
    token.revokedBy().ifPresent(proto::setRevokedBy);
    token.lastUseTime().ifPresent(t -> proto.setLastUseTime(Rpc.timestamp(t)));
    return proto.build();
  }

  public static io.gantry.v1.Caller toProto(Caller.Identity caller, List<RoleBinding> bindings,
      boolean rolesEnforced) {
    io.gantry.v1.Caller.Builder proto = io.gantry.v1.Caller.newBuilder()
        .setPrincipal(caller.principal())
        .addAllGroups(caller.groups().stream().sorted().toList())
        .setAuthenticatedBy(caller.method().wireName())
        .setRolesEnforced(rolesEnforced);
    caller.apiToken().ifPresent(id -> proto.setApiToken("apiTokens/" + id));
    bindings.forEach(binding -> proto.addRoleBindings(toProto(binding)));
    return proto.build();
  }
}
