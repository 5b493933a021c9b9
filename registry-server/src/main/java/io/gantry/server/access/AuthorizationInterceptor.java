package io.gantry.server.access;

import io.gantry.server.api.GrpcErrors;
import io.gantry.server.auth.Caller;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.List;

/**
 * Checks every call against the caller's role bindings before it reaches a service, by the rule {@link Permissions}
 * has for its method. The scope is read from the request, so the call is started only once its first message is
 * in; a refusal is {@code PERMISSION_DENIED} ({@code MISSING_ROLE}) naming the role and the resource, and is
 * audited. Runs after the identity interceptor, on whatever thread the call runs on: the check reads memory only
 * (but for the promotion a decision names).
 */
public final class AuthorizationInterceptor implements ServerInterceptor {

  private final AccessService access;
  private final Permissions.PromotionTargets promotions;
  private final RefusalLog refusals;

  public AuthorizationInterceptor(AccessService access, Permissions.PromotionTargets promotions,
      RefusalLog refusals) {
    this.access = access;
    this.promotions = promotions;
    this.refusals = refusals;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    Permissions.Rule rule = Permissions.of(method).orElse(null);
    if (rule == null) {
      // fail closed; the server refuses to start with such a method, so this is a bug
      return Caller.refuse(call, new GantryException(ErrorCode.INTERNAL_ERROR, "no permission rule for " + method));
    }
    return new Gate<>(call, headers, next, rule, Caller.identity());
  }

  /** Holds the call until its first message says what it touches, then starts it or refuses it. */
  private final class Gate<Q, R> extends ServerCall.Listener<Q> {
    private final ServerCall<Q, R> call;
    private final Metadata headers;
    private final ServerCallHandler<Q, R> next;
    private final Permissions.Rule rule;
    private final Caller.Identity caller;
    private ServerCall.Listener<Q> delegate;
    private boolean refused;

    Gate(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next, Permissions.Rule rule,
        Caller.Identity caller) {
      this.call = call;
      this.headers = headers;
      this.next = next;
      this.rule = rule;
      this.caller = caller;
      call.request(1);
    }

    @Override
    public void onMessage(Q message) {
      if (delegate != null) {
        delegate.onMessage(message);
      } else if (!refused && admit(message)) {
        delegate.onMessage(message);
      }
    }

    @Override
    public void onHalfClose() {
      if (delegate != null) {
        delegate.onHalfClose();
      } else if (!refused && admit(null)) {
        // a client stream that sent nothing: the service says what is missing
        delegate.onHalfClose();
      }
    }

    @Override
    public void onCancel() {
      if (delegate != null) {
        delegate.onCancel();
      }
    }

    @Override
    public void onComplete() {
      if (delegate != null) {
        delegate.onComplete();
      }
    }

    @Override
    public void onReady() {
      if (delegate != null) {
        delegate.onReady();
      }
    }

    private boolean admit(Q message) {
      Scope scope;
      try {
        scope = message == null ? Scope.ANY_MODEL : rule.scope().read(message, promotions);
      } catch (RuntimeException e) {
        refused = true;
        var status = GrpcErrors.toStatusException(e);
        call.close(status.getStatus(), status.getTrailers());
        return false;
      }
      if (access.allows(caller, rule.right(), scope)) {
        ServerCall<Q, R> admitted = scope.kind() == Scope.Kind.ANY_MODEL && rule.filter().isPresent()
            ? filtered(call, rule.filter().get()) : call;
        if (call.getMethodDescriptor().getType() == MethodDescriptor.MethodType.SERVER_STREAMING) {
          admitted = guarded(admitted, scope);
        }
        // a list narrows its query to what the caller may read; found only for lists, which are not the hot path
        delegate = rule.filter().isPresent() ? access.readable(caller).startCall(admitted, headers, next)
            : next.startCall(admitted, headers);
        if (call.isReady()) {
          delegate.onReady();
        }
        return true;
      }
      refused = true;
      String method = call.getMethodDescriptor().getFullMethodName();
      String reason = refusal(method, scope);
      refusals.permissionDenied(caller, method, scope, reason);
      var status = GrpcErrors.toStatusException(new GantryException(ErrorCode.MISSING_ROLE, reason));
      call.close(status.getStatus(), status.getTrailers());
      return false;
    }

    /**
     * A stream (a watch, the audit stream, a download) outlives the check that admitted it: each message is checked
     * again, so a revoked API token or a removed role binding ends the stream at its next message.
     */
    private ServerCall<Q, R> guarded(ServerCall<Q, R> call, Scope scope) {
      return new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
        private boolean cut;

        @Override
        public void sendMessage(R message) {
          if (cut) {
            return;
          }
          GantryException revoked = revoked(scope);
          if (revoked != null) {
            cut = true;
            var status = GrpcErrors.toStatusException(revoked);
            super.close(status.getStatus(), status.getTrailers());
            return;
          }
          super.sendMessage(message);
        }

        @Override
        public void close(Status status, Metadata trailers) {
          if (!cut) {
            super.close(status, trailers);
          }
        }
      };
    }

    /** Why the caller may no longer receive this stream, or null. */
    private GantryException revoked(Scope scope) {
      if (caller.apiToken().isPresent() && !access.tokenWorks(caller.apiToken().get())) {
        return new GantryException(ErrorCode.CREDENTIAL_REJECTED, "API token " + caller.apiToken().get()
            + " was revoked or expired while the stream was open");
      }
      if (!access.allows(caller, rule.right(), scope)) {
        String method = call.getMethodDescriptor().getFullMethodName();
        String reason = refusal(method, scope) + " (a role binding was removed while the stream was open)";
        refusals.permissionDenied(caller, method, scope, reason);
        return new GantryException(ErrorCode.MISSING_ROLE, reason);
      }
      return null;
    }

    /**
     * A list across models answers only the entries of models the caller may read. Its query already holds only
     * those ({@link ReadableModels}); this checks the answer again, should a list ever forget to.
     */
    private ServerCall<Q, R> filtered(ServerCall<Q, R> call, Permissions.ListFilter filter) {
      return new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
        @Override
        @SuppressWarnings("unchecked")
        public void sendMessage(R message) {
          super.sendMessage((R) filter.keep(message, model -> access.allows(caller, rule.right(),
              Scope.model(model))));
        }
      };
    }

    private String refusal(String method, Scope scope) {
      Role role = Role.leastGiving(rule.right());
      StringBuilder reason = new StringBuilder(caller.principal()).append(" needs the ").append(role.wireName())
          .append(" role");
      if (role != Role.ADMIN) {
        reason.append(" (or admin)");
      }
      reason.append(" on ").append(scope.describe()).append(" to call ").append(method);
      if (scope.alias().isPresent()) {
        List<String> restricted = access.bindingsOf(caller).stream()
            .filter(b -> !b.aliases().isEmpty() && b.role().gives(rule.right())
                && b.grants(rule.right(), Scope.model(scope.model())))
            .map(b -> b.role().wireName() + " on " + b.modelPattern() + " for aliases " + b.aliases())
            .toList();
        if (!restricted.isEmpty()) {
          reason.append("; its bindings here name other aliases: ").append(String.join("; ", restricted));
        }
      }
      return reason.toString();
    }
  }
}
