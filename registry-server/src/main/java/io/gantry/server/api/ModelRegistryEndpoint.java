package io.gantry.server.api;

import com.google.protobuf.Empty;
import com.google.protobuf.FieldMask;
import io.gantry.server.access.ReadableModels;
import io.gantry.server.alias.AliasMessages;
import io.gantry.server.alias.AliasService;
import io.gantry.server.auth.Caller;
import io.gantry.server.common.Names;
import io.gantry.server.common.RequestKey;
import io.gantry.server.error.GantryException;
import io.gantry.server.model.ModelMessages;
import io.gantry.server.model.ModelService;
import io.gantry.server.query.ListQuery;
import io.gantry.server.version.VersionMessages;
import io.gantry.server.version.VersionService;
import io.gantry.v1.AliasEvent;
import io.gantry.v1.ArchiveModelVersionRequest;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.DeleteModelRequest;
import io.gantry.v1.DeleteModelTagRequest;
import io.gantry.v1.DeleteVersionTagRequest;
import io.gantry.v1.Evaluation;
import io.gantry.v1.GetModelRequest;
import io.gantry.v1.ListAliasHistoryRequest;
import io.gantry.v1.ListAliasHistoryResponse;
import io.gantry.v1.ListAliasesRequest;
import io.gantry.v1.ListAliasesResponse;
import io.gantry.v1.ListEvaluationsRequest;
import io.gantry.v1.ListEvaluationsResponse;
import io.gantry.v1.ListModelVersionsRequest;
import io.gantry.v1.ListModelVersionsResponse;
import io.gantry.v1.ListModelsRequest;
import io.gantry.v1.ListModelsResponse;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.RegisteredModel;
import io.gantry.v1.ReportEvaluationRequest;
import io.gantry.v1.SetModelTagRequest;
import io.gantry.v1.SetVersionTagRequest;
import io.gantry.v1.UpdateModelRequest;
import io.gantry.v1.UpdateModelVersionRequest;
import io.gantry.v1.WatchAliasRequest;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Optional;

/**
 * The gRPC face of {@code gantry.v1.ModelRegistry}: reads requests, calls the model and version
 * services with the caller's identity, and writes responses. No rules live here. ResolveAlias and
 * GetModelVersion are answered by {@link CachedReadsEndpoint}, WatchAlias by {@link AliasWatchEndpoint}.
 */
public final class ModelRegistryEndpoint extends ModelRegistryGrpc.ModelRegistryImplBase {

  private final ModelService models;
  private final VersionService versions;
  private final AliasService aliases;
  private final AliasWatchEndpoint watches;

  public ModelRegistryEndpoint(ModelService models, VersionService versions, AliasService aliases,
      AliasWatchEndpoint watches) {
    this.models = models;
    this.versions = versions;
    this.aliases = aliases;
    this.watches = watches;
  }

  @Override
  public void watchAlias(WatchAliasRequest request, StreamObserver<AliasEvent> observer) {
    watches.watchAlias(request, observer);
  }

  @Override
  public void createModel(CreateModelRequest request, StreamObserver<RegisteredModel> observer) {
    Rpc.unary(observer, () -> ModelMessages.toProto(models.create(request.getModelId(),
        request.getModel().getDescription(), request.getModel().getTagsMap(),
        RequestKey.of("CreateModel", request.getRequestId(),
            Rpc.fingerprint(request.toBuilder().clearRequestId().build())),
        Caller.principal())));
  }

  @Override
  public void getModel(GetModelRequest request, StreamObserver<RegisteredModel> observer) {
    Rpc.unary(observer, () -> ModelMessages.toProto(models.get(Names.parseModelName("name", request.getName()))));
  }

  @Override
  public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> observer) {
    Rpc.unary(observer, () -> {
      var page = models.list(new ListQuery.Request("models", Caller.principal(), request.getPageSize(),
          request.getPageToken(), request.getFilter(), request.getOrderBy()), ReadableModels.current());
      return ListModelsResponse.newBuilder()
          .addAllModels(page.items().stream().map(ModelMessages::toProto).toList())
          .setNextPageToken(page.nextPageToken())
          .build();
    });
  }

  @Override
  public void updateModel(UpdateModelRequest request, StreamObserver<RegisteredModel> observer) {
    Rpc.unary(observer, () -> {
      checkDescriptionOnly(request.getUpdateMask());
      RegisteredModel model = request.getModel();
      return ModelMessages.toProto(models.updateDescription(Names.parseModelName("model.name", model.getName()),
          model.getDescription(), model.getEtag(), Caller.principal()));
    });
  }

  @Override
  public void deleteModel(DeleteModelRequest request, StreamObserver<Empty> observer) {
    Rpc.unary(observer, () -> {
      models.delete(Names.parseModelName("name", request.getName()), request.getEtag(), Caller.principal());
      return Empty.getDefaultInstance();
    });
  }

  @Override
  public void setModelTag(SetModelTagRequest request, StreamObserver<RegisteredModel> observer) {
    Rpc.unary(observer, () -> ModelMessages.toProto(models.setTag(Names.parseModelName("name", request.getName()),
        request.getKey(), request.getValue(), Caller.principal())));
  }

  @Override
  public void deleteModelTag(DeleteModelTagRequest request, StreamObserver<RegisteredModel> observer) {
    Rpc.unary(observer, () -> ModelMessages.toProto(models.deleteTag(
        Names.parseModelName("name", request.getName()), request.getKey(), Caller.principal())));
  }

  @Override
  public void createModelVersion(CreateModelVersionRequest request, StreamObserver<ModelVersion> observer) {
    Rpc.unary(observer, () -> VersionMessages.toProto(versions.create(
        Names.parseModelName("parent", request.getParent()),
        VersionMessages.toDraft(request.getModelVersion(), request.getManagedArtifacts()),
        RequestKey.of("CreateModelVersion", request.getRequestId(),
            Rpc.fingerprint(request.toBuilder().clearRequestId().build())),
        Caller.principal())));
  }

  @Override
  public void listModelVersions(ListModelVersionsRequest request, StreamObserver<ListModelVersionsResponse> observer) {
    Rpc.unary(observer, () -> {
      var page = versions.list(Names.parseModelParent("parent", request.getParent()),
          new ListQuery.Request(request.getParent(), Caller.principal(), request.getPageSize(),
              request.getPageToken(), request.getFilter(), request.getOrderBy()), ReadableModels.current());
      return ListModelVersionsResponse.newBuilder()
          .addAllModelVersions(page.items().stream().map(VersionMessages::toProto).toList())
          .setNextPageToken(page.nextPageToken())
          .build();
    });
  }

  @Override
  public void updateModelVersion(UpdateModelVersionRequest request, StreamObserver<ModelVersion> observer) {
    Rpc.unary(observer, () -> {
      checkDescriptionOnly(request.getUpdateMask());
      ModelVersion version = request.getModelVersion();
      return VersionMessages.toProto(versions.updateDescription(
          Names.parseVersionName("model_version.name", version.getName()), version.getDescription(),
          version.getEtag(), Caller.principal()));
    });
  }

  @Override
  public void archiveModelVersion(ArchiveModelVersionRequest request, StreamObserver<ModelVersion> observer) {
    Rpc.unary(observer, () -> VersionMessages.toProto(versions.archive(
        Names.parseVersionName("name", request.getName()), request.getEtag(), Caller.principal())));
  }

  @Override
  public void setVersionTag(SetVersionTagRequest request, StreamObserver<ModelVersion> observer) {
    Rpc.unary(observer, () -> VersionMessages.toProto(versions.setTag(
        Names.parseVersionName("name", request.getName()), request.getKey(), request.getValue(),
        Caller.principal())));
  }

  @Override
  public void deleteVersionTag(DeleteVersionTagRequest request, StreamObserver<ModelVersion> observer) {
    Rpc.unary(observer, () -> VersionMessages.toProto(versions.deleteTag(
        Names.parseVersionName("name", request.getName()), request.getKey(), Caller.principal())));
  }

  @Override
  public void reportEvaluation(ReportEvaluationRequest request, StreamObserver<Evaluation> observer) {
    Rpc.unary(observer, () -> VersionMessages.toProto(versions.reportEvaluation(
        Names.parseVersionName("name", request.getName()), request.getDataset(), request.getDatasetDigest(),
        request.getMetricsMap(),
        RequestKey.of("ReportEvaluation", request.getRequestId(),
            Rpc.fingerprint(request.toBuilder().clearRequestId().build())),
        Caller.principal())));
  }

  @Override
  public void listEvaluations(ListEvaluationsRequest request, StreamObserver<ListEvaluationsResponse> observer) {
    Rpc.unary(observer, () -> {
      var page = versions.listEvaluations(Names.parseVersionName("parent", request.getParent()),
          new ListQuery.Request(request.getParent(), Caller.principal(), request.getPageSize(),
              request.getPageToken(), "", ""));
      return ListEvaluationsResponse.newBuilder()
          .addAllEvaluations(page.items().stream().map(VersionMessages::toProto).toList())
          .setNextPageToken(page.nextPageToken())
          .build();
    });
  }

  @Override
  public void listAliases(ListAliasesRequest request, StreamObserver<ListAliasesResponse> observer) {
    Rpc.unary(observer, () -> ListAliasesResponse.newBuilder()
        .addAllAliases(aliases.list(Names.parseModelName("parent", request.getParent())).stream()
            .map(AliasMessages::toProto).toList())
        .build());
  }

  @Override
  public void listAliasHistory(ListAliasHistoryRequest request, StreamObserver<ListAliasHistoryResponse> observer) {
    Rpc.unary(observer, () -> {
      String parent = request.getParent();
      ListQuery.Request page = new ListQuery.Request(parent, Caller.principal(), request.getPageSize(),
          request.getPageToken(), "", "");
      var moves = parent.contains("/aliases/")
          ? aliases.history(Names.parseAliasName("parent", parent).model(),
              Optional.of(Names.parseAliasName("parent", parent).alias()), page)
          : aliases.history(Names.parseModelName("parent", parent), Optional.empty(), page);
      return ListAliasHistoryResponse.newBuilder()
          .addAllMoves(moves.items().stream().map(AliasMessages::toProto).toList())
          .setNextPageToken(moves.nextPageToken())
          .build();
    });
  }

  /** Only descriptions can be updated; an empty mask means just that (AIP-134). */
  private static void checkDescriptionOnly(FieldMask mask) {
    List<String> other = mask.getPathsList().stream().filter(p -> !p.equals("description")).toList();
    if (!other.isEmpty()) {
      throw GantryException.invalid("update_mask",
          "only 'description' can be updated; cannot update " + String.join(", ", other));
    }
  }
}
