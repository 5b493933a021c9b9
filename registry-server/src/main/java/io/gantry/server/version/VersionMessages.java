package io.gantry.server.version;

import io.gantry.server.api.Rpc;
import io.gantry.v1.DatasetMetrics;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.ModelVersionStatus;

/** Model versions and evaluations as gantry.v1 messages. */
public final class VersionMessages {

  private VersionMessages() {}

  public static ModelVersion toProto(Version version) {
    ModelVersion.Builder proto = ModelVersion.newBuilder()
        .setName(version.name())
        .setVersion(version.version())
        .setStatus(ModelVersionStatus.valueOf("MODEL_VERSION_STATUS_" + version.status().name()))
        .setSource(version.source())
        .setRunId(version.runId())
        .setRunLink(version.runLink())
        .setLoggedModelId(version.loggedModelId())
        .setDescription(version.description())
        .putAllTags(version.tags())
        .setFiles(version.files())
        .setDependencies(version.dependencies())
        .setCreateTime(Rpc.timestamp(version.createTime()))
        .setUpdateTime(Rpc.timestamp(version.updateTime()))
        .setCreatedBy(version.createdBy())
        .setUpdatedBy(version.updatedBy())
        .setEtag(version.etag())
        .setManagedArtifacts(version.managedArtifacts())
        .setManifestDigest(version.manifestDigest().orElse(""))
        .setStatusMessage(version.statusMessage());
    version.mlmodel().ifPresent(proto::setMlmodel);
    version.metrics().forEach((dataset, latest) -> proto.putMetrics(dataset, DatasetMetrics.newBuilder()
        .setDatasetDigest(latest.datasetDigest())
        .putAllMetrics(latest.metrics())
        .setUpdateTime(Rpc.timestamp(latest.updateTime()))
        .build()));
    return proto.build();
  }

  public static io.gantry.v1.Evaluation toProto(Evaluation evaluation) {
    return io.gantry.v1.Evaluation.newBuilder()
        .setName(evaluation.name())
        .setDataset(evaluation.dataset())
        .setDatasetDigest(evaluation.datasetDigest())
        .putAllMetrics(evaluation.metrics())
        .setCreateTime(Rpc.timestamp(evaluation.createTime()))
        .setCreatedBy(evaluation.createdBy())
        .build();
  }

  public static Version.Draft toDraft(ModelVersion proto, boolean managedArtifacts) {
    return new Version.Draft(proto.getSource(), proto.getRunId(), proto.getRunLink(), proto.getLoggedModelId(),
        proto.getDescription(), proto.getTagsMap(), proto.getFiles(), managedArtifacts);
  }
}
