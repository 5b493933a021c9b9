package io.gantry.server.version;

import io.gantry.server.common.Names;
import io.gantry.v1.Dependencies;
import io.gantry.v1.MlModel;
import io.gantry.v1.MlflowFiles;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;

/**
 * A model version as the registry stores it. The MLflow metadata is held in its gantry.v1 message
 * form: those messages are the schema of MLflow's files, not of the transport, and the database
 * keeps them as JSON.
 */
public record Version(
    long id,
    String modelId,
    int version,
    Status status,
    String source,
    String runId,
    String runLink,
    String loggedModelId,
    String description,
    Map<String, String> tags,
    MlflowFiles files,
    Optional<MlModel> mlmodel,
    Dependencies dependencies,
    Map<String, LatestMetrics> metrics,
    OffsetDateTime createTime,
    OffsetDateTime updateTime,
    String createdBy,
    String updatedBy,
    long revision,
    boolean managedArtifacts,
    Optional<String> manifestDigest,
    String statusMessage) {

  /** The lifecycle of a version. */
  public enum Status { PENDING_UPLOAD, READY, FAILED, ARCHIVED }

  /** The latest value of each metric reported on one dataset. */
  public record LatestMetrics(String datasetDigest, Map<String, Double> metrics, OffsetDateTime updateTime) {}

  /**
   * What a client supplies to register a version.
   *
   * @param loggedModelId MLflow 3's logged model the version comes from, or empty
   * @param managedArtifacts the files will be uploaded: the version starts PENDING_UPLOAD
   */
  public record Draft(String source, String runId, String runLink, String loggedModelId, String description,
      Map<String, String> tags, MlflowFiles files, boolean managedArtifacts) {}

  public String name() {
    return Names.versionName(modelId, version);
  }

  public String etag() {
    return String.valueOf(revision);
  }
}
