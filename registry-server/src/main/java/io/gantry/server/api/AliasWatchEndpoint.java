package io.gantry.server.api;

import io.gantry.server.alias.Alias;
import io.gantry.server.alias.AliasMessages;
import io.gantry.server.alias.AliasMove;
import io.gantry.server.common.Names;
import io.gantry.server.error.GantryException;
import io.gantry.server.watch.AliasEventSink;
import io.gantry.server.watch.AliasWatches;
import io.gantry.v1.AliasEvent;
import io.gantry.v1.WatchAliasRequest;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.Optional;

/** The gRPC face of WatchAlias: a server stream fed by {@link AliasWatches}. */
public final class AliasWatchEndpoint {

  private final AliasWatches watches;

  public AliasWatchEndpoint(AliasWatches watches) {
    this.watches = watches;
  }

  void watchAlias(WatchAliasRequest request, StreamObserver<AliasEvent> observer) {
    var call = (ServerCallStreamObserver<AliasEvent>) observer;
    AliasWatches.Subscription subscription;
    try {
      subscription = subscribe(request, call);
    } catch (RuntimeException e) {
      observer.onError(GrpcErrors.toStatusException(e));
      return;
    }
    call.setOnCancelHandler(subscription::cancel);
    // a stream can also be ended from outside the watch (access revoked while it was open)
    call.setOnCloseHandler(subscription::cancel);
    subscription.start();
  }

  private AliasWatches.Subscription subscribe(WatchAliasRequest request, ServerCallStreamObserver<AliasEvent> call) {
    Names.AliasRef ref = Names.parseAliasOrEvery("name", request.getName());
    if (ref.alias().equals(Names.LATEST)) {
      throw GantryException.invalid("name", "'latest' is computed from the versions, not moved, so it cannot "
          + "be watched; watch a named alias");
    }
    boolean every = ref.alias().equals(Names.EVERY_ALIAS);
    if (every && request.getSinceRevision() != 0) {
      throw GantryException.invalid("since_revision", "applies to one alias; for '*' give since_revisions by alias");
    }
    if (!every && !request.getSinceRevisionsMap().isEmpty()) {
      throw GantryException.invalid("since_revisions", "applies to '*'; for one alias give since_revision");
    }
    Map<String, Long> since = every ? request.getSinceRevisionsMap()
        : request.getSinceRevision() == 0 ? Map.of() : Map.of(ref.alias(), request.getSinceRevision());
    for (var resume : since.entrySet()) {
      String field = every ? "since_revisions[" + resume.getKey() + "]" : "since_revision";
      if (every) {
        Names.checkAlias(field, resume.getKey());
      }
      if (resume.getValue() < 0) {
        throw GantryException.invalid(field, "must not be negative");
      }
    }
    return watches.watch(ref.model(), every ? Optional.empty() : Optional.of(ref.alias()), since,
        every ? "since_revisions" : "since_revision", new AliasEventSink() {
          @Override
          public void current(Alias alias) {
            call.onNext(AliasEvent.newBuilder().setCurrent(AliasMessages.toProto(alias)).build());
          }

          @Override
          public void moved(AliasMove move) {
            call.onNext(AliasEvent.newBuilder().setMoved(AliasMessages.toProto(move)).build());
          }

          @Override
          public void failed(RuntimeException error) {
            call.onError(GrpcErrors.toStatusException(error));
          }

          @Override
          public void ended() {
            call.onError(Status.UNAVAILABLE
                .withDescription("the server is stopping; resume from the last revision seen").asRuntimeException());
          }
        });
  }
}
