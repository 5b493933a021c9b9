package io.gantry.server.api;

import io.gantry.server.auth.Caller;
import io.gantry.server.imports.ImportService;
import io.gantry.server.imports.ImportedModel;
import io.gantry.server.imports.ImportedVersion;
import io.gantry.server.version.Version;
import io.gantry.v1.ImportModelRequest;
import io.gantry.v1.ImportModelResponse;
import io.gantry.v1.ImportsGrpc;
import io.gantry.v1.ModelVersionStatus;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;

/** The gRPC face of {@code gantry.v1.Imports}. No rules live here. */
public final class ImportsEndpoint extends ImportsGrpc.ImportsImplBase {

  private final ImportService imports;

  public ImportsEndpoint(ImportService imports) {
    this.imports = imports;
  }

  @Override
  public void importModel(ImportModelRequest request, StreamObserver<ImportModelResponse> observer) {
    Rpc.unary(observer, () -> {
      var model = request.getModel();
      List<ImportedVersion> versions = new ArrayList<>();
      for (int i = 0; i < model.getVersionsCount(); i++) {
        var v = model.getVersions(i);
        String field = "model.versions[" + i + "]";
        versions.add(new ImportedVersion(v.getVersion(), v.getSource(), v.getRunId(), v.getRunLink(),
            v.getDescription(), v.getTagsMap(), Rpc.instant(field + ".create_time", v.hasCreateTime(),
            v.getCreateTime()), v.getCreatedBy(), status(v.getStatus()), v.getManagedArtifacts()));
      }
      var result = imports.importModel(new ImportedModel(model.getModelId(), model.getDescription(),
          model.getTagsMap(), Rpc.instant("model.create_time", model.hasCreateTime(), model.getCreateTime()),
          model.getCreatedBy(), versions, model.getAliasesMap()), request.getSource(), Caller.principal());
      return ImportModelResponse.newBuilder().setModel(result.model()).setModelCreated(result.modelCreated())
          .addAllVersionsCreated(result.versionsCreated().stream().map(Integer::longValue).toList())
          .addAllAliasesSet(result.aliasesSet()).addAllTagsAdded(result.tagsAdded())
          .addAllUnchanged(result.unchanged()).build();
    });
  }

  /** Unspecified is READY: what a registry that records no status means. */
  private static Version.Status status(ModelVersionStatus status) {
    return switch (status) {
      case MODEL_VERSION_STATUS_FAILED -> Version.Status.FAILED;
      case MODEL_VERSION_STATUS_ARCHIVED -> Version.Status.ARCHIVED;
      case MODEL_VERSION_STATUS_PENDING_UPLOAD -> Version.Status.PENDING_UPLOAD;
      default -> Version.Status.READY;
    };
  }
}
