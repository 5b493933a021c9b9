package io.gantry.server.access;

import io.gantry.server.common.ModelGlob;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.List;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.impl.DSL;

/**
 * The models a caller may read, as a condition that a list across models puts into its query before the limit: so a
 * page holds only rows the caller may read, is full, and a filter can only ever match readable rows. The
 * authorization interceptor finds it from the caller's role bindings and hands it to the call in the gRPC context,
 * where the endpoints read it (the MLflow REST API and the web page call them in-process, so they get it too). A call
 * that finds none reads nothing.
 */
public final class ReadableModels {

  /** Every model: an unrestricted caller, or a server that does not enforce roles. */
  public static final ReadableModels EVERY_MODEL = new ReadableModels(Optional.empty());
  public static final ReadableModels NONE = new ReadableModels(Optional.of(List.of()));

  private static final Context.Key<ReadableModels> CURRENT = Context.key("gantry-readable-models");

  /** The globs of the models readable; empty for every model. */
  private final Optional<List<String>> globs;

  private ReadableModels(Optional<List<String>> globs) {
    this.globs = globs;
  }

  static ReadableModels of(List<String> globs) {
    return new ReadableModels(Optional.of(List.copyOf(globs)));
  }

  /** The current call's: what the authorization interceptor found, or {@link #NONE} when it found nothing. */
  public static ReadableModels current() {
    ReadableModels readable = CURRENT.get();
    return readable == null ? NONE : readable;
  }

  /** The rows whose model, named in {@code modelId}, is readable. */
  public Condition condition(Field<String> modelId) {
    if (globs.isEmpty()) {
      return DSL.noCondition();
    }
    if (globs.get().isEmpty()) {
      return DSL.falseCondition();
    }
    return DSL.or(globs.get().stream().map(glob -> ModelGlob.matches(modelId, glob)).toList());
  }

  /** Starts the call with this as its {@link #current()}. */
  <Q, R> ServerCall.Listener<Q> startCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    return Contexts.interceptCall(Context.current().withValue(CURRENT, this), call, headers, next);
  }

  /**
   * Lets every list read every model: where roles are not enforced (the loopback default). Other calls pass as they
   * came, so a cached resolve pays nothing for it.
   */
  public static ServerInterceptor everyModelForEveryone() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        boolean list = Permissions.of(call.getMethodDescriptor().getFullMethodName())
            .flatMap(Permissions.Rule::filter).isPresent();
        return list ? EVERY_MODEL.startCall(call, headers, next) : next.startCall(call, headers);
      }
    };
  }
}
