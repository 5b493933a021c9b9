package io.gantry.server.api;

import com.google.protobuf.Empty;
import io.gantry.server.access.AccessMessages;
import io.gantry.server.access.AccessService;
import io.gantry.server.auth.Caller;
import io.gantry.v1.AccessControlGrpc;
import io.gantry.v1.ApiToken;
import io.gantry.v1.CreateApiTokenRequest;
import io.gantry.v1.CreateApiTokenResponse;
import io.gantry.v1.CreateRoleBindingRequest;
import io.gantry.v1.DeleteRoleBindingRequest;
import io.gantry.v1.GetCallerRequest;
import io.gantry.v1.ListApiTokensRequest;
import io.gantry.v1.ListApiTokensResponse;
import io.gantry.v1.ListRoleBindingsRequest;
import io.gantry.v1.ListRoleBindingsResponse;
import io.gantry.v1.RevokeApiTokenRequest;
import io.gantry.v1.RoleBinding;
import io.grpc.stub.StreamObserver;

/** The gRPC face of {@code gantry.v1.AccessControl}. No rules live here. */
public final class AccessEndpoint extends AccessControlGrpc.AccessControlImplBase {

  private final AccessService access;
  private final boolean rolesEnforced;

  public AccessEndpoint(AccessService access, boolean rolesEnforced) {
    this.access = access;
    this.rolesEnforced = rolesEnforced;
  }

  @Override
  public void getCaller(GetCallerRequest request, StreamObserver<io.gantry.v1.Caller> observer) {
    Rpc.unary(observer, () -> AccessMessages.toProto(Caller.identity(), access.bindingsOf(Caller.identity()),
        rolesEnforced));
  }

  @Override
  public void createRoleBinding(CreateRoleBindingRequest request, StreamObserver<RoleBinding> observer) {
    Rpc.unary(observer, () -> {
      RoleBinding binding = request.getRoleBinding();
      return AccessMessages.toProto(access.grant(binding.getSubject(),
          AccessMessages.role("role_binding.role", binding.getRole()), binding.getModelPattern(),
          binding.getAliasesList(), Caller.principal()));
    });
  }

  @Override
  public void deleteRoleBinding(DeleteRoleBindingRequest request, StreamObserver<Empty> observer) {
    Rpc.unary(observer, () -> {
      access.revoke(request.getName(), Caller.principal());
      return Empty.getDefaultInstance();
    });
  }

  @Override
  public void listRoleBindings(ListRoleBindingsRequest request, StreamObserver<ListRoleBindingsResponse> observer) {
    Rpc.unary(observer, () -> ListRoleBindingsResponse.newBuilder()
        .addAllRoleBindings(access.bindings(request.getSubject()).stream().map(AccessMessages::toProto).toList())
        .build());
  }

  @Override
  public void createApiToken(CreateApiTokenRequest request, StreamObserver<CreateApiTokenResponse> observer) {
    Rpc.unary(observer, () -> {
      ApiToken token = request.getApiToken();
      var created = access.createToken(token.getPrincipal(), token.getDescription(),
          Rpc.instant("api_token.expire_time", token.hasExpireTime(), token.getExpireTime()), Caller.principal());
      return CreateApiTokenResponse.newBuilder().setApiToken(AccessMessages.toProto(created.token()))
          .setSecret(created.secret()).build();
    });
  }

  @Override
  public void listApiTokens(ListApiTokensRequest request, StreamObserver<ListApiTokensResponse> observer) {
    Rpc.unary(observer, () -> ListApiTokensResponse.newBuilder()
        .addAllApiTokens(access.tokens(request.getShowInactive()).stream().map(AccessMessages::toProto).toList())
        .build());
  }

  @Override
  public void revokeApiToken(RevokeApiTokenRequest request, StreamObserver<ApiToken> observer) {
    Rpc.unary(observer, () -> AccessMessages.toProto(access.revokeToken(request.getName(), Caller.principal())));
  }
}
